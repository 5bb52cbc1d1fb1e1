"""The checklist as files: Markdown, JSON, a standalone print-friendly HTML page and a PDF; and a
corpus's checklists, one file per paper, as files or one .zip.

`site` ("https://seedaudit.example.org") makes the links in the files absolute; without it they
are paths on the site that made them.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache
from xml.sax.saxutils import escape

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify

from audit.documents import PdfDocument
from audit.models import Paper
from audit.paper_text import highlighted
from audit.reports.advice import SOURCE
from audit.reports.basis import Selection
from audit.reports.checklist import CategoryUses, Checklist, checklist_of
from audit.reports.uses import SentenceUse, selected_uses
from audit.taxonomy import BY_LABEL

FORMATS = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
# Bethard (2022, §4): a paper that never mentions its seed most likely used a single fixed one.
SILENT = (
    "No sentence of this paper mentions a random seed. A paper that never mentions its seed most "
    "likely used a single fixed one (Bethard 2022, §4): ask how many runs the results rest on."
)
FOOTER = f"After {SOURCE}. Made by seedaudit."


def render(checklist: Checklist, fmt: str, site: str = "") -> bytes:
    if fmt == "md":
        return to_markdown(checklist, site).encode()
    if fmt == "json":
        return json.dumps(to_dict(checklist, site), ensure_ascii=False, indent=2).encode()
    if fmt == "html":
        return to_html(checklist, site).encode()
    if fmt == "pdf":
        return to_pdf(checklist, site)
    raise ValueError(f"Unknown checklist format {fmt!r}; use one of {', '.join(FORMATS)}.")


def file_name(paper: Paper, fmt: str) -> str:
    stem = slugify(paper.file_name.rsplit(".", 1)[0])[:60] or "paper"
    return f"{paper.pk}-{stem}-checklist.{fmt}"


def corpus_checklists(
    selection: Selection, fmt: str, site: str = ""
) -> Iterator[tuple[str, bytes]]:
    """(file name, content) for every paper of the selection."""
    for uses in selected_uses(selection):
        yield file_name(uses.paper, fmt), render(checklist_of(uses, selection), fmt, site)


def zip_of(files: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def paper_url(paper: Paper, site: str = "") -> str:
    return site.rstrip("/") + reverse("paper", args=[paper.pk])


def to_dict(checklist: Checklist, site: str = "") -> dict:
    paper, uses = checklist.paper, checklist.uses

    def sentence(use: SentenceUse) -> dict:
        return {
            "sentence_id": use.sentence.pk,
            "text": use.sentence.text,
            "page": use.sentence.page,
            "section": use.sentence.section,
            "terms": use.sentence.terms,
            "label": use.label or None,
            "label_source": use.source or None,
        }

    def category(group: CategoryUses) -> dict:
        entry = {
            "label": group.category.label.value,
            "name": group.category.name,
            "definition": group.category.definition,
            "sentences": [sentence(use) for use in group.sentences],
        }
        if group.advice:
            entry |= {
                "why": group.advice.why,
                "instead": list(group.advice.instead),
                "source": f"Bethard (2022), {group.advice.section}",
            }
        return entry

    selection = checklist.selection
    return {
        "paper": {
            "id": paper.pk,
            "file": paper.original_name,
            "title": paper.title,
            "authors": paper.authors,
            "year": paper.year,
            "venue": paper.venue,
            "anthology_id": paper.anthology_id,
            "url": paper_url(paper, site),
        },
        "counted_by": {
            "basis": selection.basis.value,
            "name": selection.basis.label,
            "description": selection.counting,
            "project": selection.project.name if selection.project else None,
        },
        "primary_category": uses.primary or None,
        "group": uses.group or None,
        "risky": [category(group) for group in checklist.risky],
        "safe": [category(group) for group in checklist.safe],
        "other": [sentence(use) for use in checklist.other],
        "checks": [
            {"key": c.key, "text": c.text, "ticked": c.ticked, "note": c.note}
            for c in checklist.checks
        ],
        "lab_reports": [
            {"title": r.title, "verdict": r.verdict, "url": site.rstrip("/") + r.url}
            for r in checklist.lab_reports
        ],
        "source": SOURCE,
    }


def to_markdown(checklist: Checklist, site: str = "") -> str:
    """Markdown whose text is escaped: a title or sentence holding `<script>` stays text wherever
    the Markdown is rendered."""
    paper = checklist.paper
    lines = [
        f"# Random-seed checklist: {escape(paper.title or paper.file_name)}",
        "",
        f"{escape(checklist.byline)} · [paper in seedaudit]({paper_url(paper, site)})",
        "",
        f"Labels counted by {escape(checklist.selection.counting)}.",
        "",
        f"Primary category: **{escape(checklist.primary_name)}**",
        "",
    ]

    def quote(use: SentenceUse) -> list[str]:
        return [
            f"> {escape(use.sentence.text)}",
            f"> — {escape(use.location)} · {use.source_name}",
            "",
        ]

    for title, groups in checklist.sections:
        lines += [f"## {title}", ""]
        for group in groups:
            lines += [f"### {group.category.name}", "", f"*{group.category.definition}*", ""]
            for use in group.sentences:
                lines += quote(use)
            if group.advice:
                lines += [
                    f"**Why this is risky** (Bethard 2022, {group.advice.section}). "
                    f"{group.advice.why}",
                    "",
                    "**What to ask for instead:**",
                    "",
                    *(f"- {item}" for item in group.advice.instead),
                    "",
                ]
    if checklist.other:
        lines += ["## Other highlighted sentences", ""]
        for use in checklist.other:
            what = BY_LABEL[use.label].name.lower() if use.label else use.source_name
            lines.append(f'- {escape(use.location)}: "{escape(use.sentence.text)}" ({what})')
        lines.append("")
    if not checklist.uses.sentences:
        lines += [SILENT, ""]
    lines += ["## Checklist", ""]
    for check in checklist.checks:
        note = f" — {escape(check.note)}" if check.note else ""
        lines.append(f"- [{'x' if check.ticked else ' '}] {check.text}{note}")
    lines.append("")
    if checklist.lab_reports:
        lines += ["## Lab reports", ""]
        for report in checklist.lab_reports:
            lines.append(
                f"- [{escape(report.title)}]({site.rstrip('/')}{report.url}): "
                f"{escape(report.verdict)}"
            )
        lines.append("")
    lines += ["---", "", FOOTER, ""]
    return "\n".join(lines)


@cache
def _stylesheet() -> str:
    # The standalone file carries the site's own stylesheet: it opens and prints offline.
    with open(finders.find("audit/app.css"), encoding="utf-8") as css:
        return css.read()


def template_context(checklist: Checklist, site: str = "") -> dict:
    """What templates/audit/reports/_checklist.html shows, on the page and in the file."""
    return {
        "checklist": checklist,
        "paper_url": paper_url(checklist.paper, site),
        "site": site.rstrip("/"),
        "silent": SILENT,
        "footer": FOOTER,
    }


def to_html(checklist: Checklist, site: str = "") -> str:
    context = template_context(checklist, site) | {"css": _stylesheet()}
    return render_to_string("audit/reports/checklist_file.html", context)


def _quote_markup(use: SentenceUse) -> str:
    # reportlab's mini-HTML has no <mark>: the seed terms are set in bold instead.
    marked = str(highlighted(use.sentence.text, use.sentence.spans))
    return "“" + marked.replace('<mark class="term">', "<b>").replace("</mark>", "</b>") + "”"


def to_pdf(checklist: Checklist, site: str = "") -> bytes:
    paper = checklist.paper
    doc = PdfDocument(
        paper.title or paper.file_name,
        f"Random-seed checklist · {checklist.byline}",
        footer=FOOTER,
        footer_link=paper_url(paper, site),
    )
    doc.paragraph(
        f"<b>Labels counted by</b> {escape(checklist.selection.counting)}.", "note", markup=True
    )
    doc.paragraph(f"<b>Primary category:</b> {escape(checklist.primary_name)}", markup=True)
    for title, groups in checklist.sections:
        doc.heading(title)
        for group in groups:
            doc.heading(group.category.name, level=3)
            doc.paragraph(group.category.definition, "note")
            for use in group.sentences:
                doc.paragraph(_quote_markup(use), "quote", markup=True)
                doc.paragraph(f"— {use.location} · {use.source_name}", "quote_source")
            if group.advice:
                doc.paragraph(
                    f"<b>Why this is risky</b> (Bethard 2022, {group.advice.section}). "
                    f"{escape(group.advice.why)}",
                    markup=True,
                )
                doc.paragraph("<b>What to ask for instead:</b>", markup=True)
                for item in group.advice.instead:
                    doc.bullet(item)
    if checklist.other:
        doc.heading("Other highlighted sentences")
        for use in checklist.other:
            what = BY_LABEL[use.label].name.lower() if use.label else use.source_name
            doc.paragraph(f"{use.location} ({what}): “{use.sentence.text}”", "note")
    if not checklist.uses.sentences:
        doc.paragraph(SILENT)
    doc.heading("Checklist")
    doc.checkboxes(
        [
            (check.ticked, check.text, f"Pre-ticked: {check.note}" if check.ticked else check.note)
            for check in checklist.checks
        ]
    )
    if checklist.lab_reports:
        doc.heading("Lab reports")
        for report in checklist.lab_reports:
            url = escape(site.rstrip("/") + report.url, {'"': "&quot;"})
            doc.paragraph(
                f'<a href="{url}" color="#2457c5">{escape(report.title)}</a>: '
                f"{escape(report.verdict)}",
                markup=True,
            )
    return doc.render()
