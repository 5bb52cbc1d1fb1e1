"""The corpus spreadsheet, like Bethard's supplementary one: a row per paper (its category, safe
or risky, the snippet that justifies it, every label found) and a row per labelled sentence.
CSV (two files) or XLSX (two sheets, and one saying how the labels were counted)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audit.csv_cells import safe_dict
from audit.reports.advice import SOURCE
from audit.reports.basis import Selection
from audit.reports.uses import PaperUses

PAPER_COLUMNS = (
    "id", "file", "title", "authors", "year", "venue", "anthology_id", "primary_category",
    "group", "snippet", "snippet_page", "labels", "seed_sentences", "state", "counted", "basis",
    "project",
)  # fmt: skip
SENTENCE_COLUMNS = (
    "paper_id", "file", "sentence_id", "page", "section", "text", "terms", "label", "group",
    "label_source", "annotators", "suggested_label", "basis", "project",
)  # fmt: skip
# Column widths in the XLSX, in characters; the long texts wrap.
WIDTHS = {"title": 40, "snippet": 70, "text": 70, "file": 30, "section": 24, "authors": 30}
WRAPPED = {"title", "snippet", "text", "authors", "section"}


def _about(selection: Selection) -> dict:
    return {
        "basis": selection.basis.value,
        "project": selection.project.name if selection.project else "",
    }


def paper_rows(uses: Sequence[PaperUses], selection: Selection) -> list[dict]:
    rows = []
    for paper_uses in uses:
        paper, snippet = paper_uses.paper, paper_uses.snippet
        rows.append(
            {
                "id": paper.pk,
                "file": paper.file_name,
                "title": paper.title,
                "authors": "; ".join(paper.authors),
                "year": paper.year,
                "venue": paper.venue,
                "anthology_id": paper.anthology_id,
                "primary_category": paper_uses.primary,
                "group": paper_uses.group,
                "snippet": snippet.sentence.text if snippet else "",
                "snippet_page": snippet.sentence.page if snippet else None,
                "labels": "; ".join(paper_uses.labels),
                "seed_sentences": len(paper_uses.sentences),
                "state": paper_uses.state,
                "counted": "; ".join(paper_uses.counted),
                **_about(selection),
            }
        )
    return rows


def sentence_rows(uses: Sequence[PaperUses], selection: Selection) -> list[dict]:
    """The sentences with a label that counts (final, or suggested with the `suggested` basis)."""
    rows = []
    for paper_uses in uses:
        for use in paper_uses.sentences:
            if not use.label:
                continue
            sentence = use.sentence
            rows.append(
                {
                    "paper_id": paper_uses.paper.pk,
                    "file": paper_uses.paper.original_name,
                    "sentence_id": sentence.pk,
                    "page": sentence.page,
                    "section": sentence.section,
                    "text": sentence.text,
                    "terms": "; ".join(sentence.terms),
                    "label": use.label,
                    "group": use.group,
                    "label_source": use.source,
                    "annotators": "; ".join(f"{g.annotator}: {g.label}" for g in use.given),
                    "suggested_label": sentence.suggested_label,
                    **_about(selection),
                }
            )
    return rows


def to_csv(rows: Sequence[dict], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_dict(row) for row in rows)
    return out.getvalue()


def to_xlsx(uses: Sequence[PaperUses], selection: Selection) -> bytes:
    book = Workbook()
    _sheet(book.active, "Papers", paper_rows(uses, selection), PAPER_COLUMNS)
    _sheet(book.create_sheet(), "Sentences", sentence_rows(uses, selection), SENTENCE_COLUMNS)
    about = book.create_sheet("About")
    for row in (
        ("Papers", selection.scope),
        ("Counted by", selection.counting),
        ("Basis", selection.basis.value),
        ("Project", selection.project.name if selection.project else ""),
        ("Categories", f"{SOURCE}, section 2"),
    ):
        about.append(row)
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 110
    for cell in about["A"]:
        cell.font = Font(bold=True)
    for cell in about["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(sheet, title: str, rows: Sequence[dict], columns: Sequence[str]) -> None:
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        # Text extracted from PDFs may hold control characters, which XLSX cannot store.
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                for value in (row[column] for column in columns)
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # a sentence that starts with "=" is text, not a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F6")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, 14)
        if column in WRAPPED:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
