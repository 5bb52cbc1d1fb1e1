"""Table 1 of Bethard (2022): papers per seed-use category with safe and risky sub-totals, and
each as a percentage of the papers counted; as CSV, Markdown and LaTeX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from audit.csv_cells import safe_row
from audit.reports.basis import Basis, Selection
from audit.reports.uses import PaperUses, State
from audit.taxonomy import CATEGORIES, Group

GROUPS = (Group.SAFE, Group.RISKY)
CSV_COLUMNS = ("type", "purpose", "label", "count", "percent", "basis", "project", "scope")


@dataclass(frozen=True)
class Row:
    group: str
    label: str  # "" on a sub-total row
    name: str
    count: int
    percent: float | None  # of the papers counted; None when none are

    @property
    def is_subtotal(self) -> bool:
        return not self.label


@dataclass(frozen=True)
class Table1:
    rows: tuple[Row, ...]  # a group's categories, then its sub-total; safe first
    papers: int  # papers counted: those with a seed use
    no_seed_use: int
    unlabelled: int
    several_per_paper: bool  # the `final` basis: rows may add up to more than `papers`


def table1(uses: Sequence[PaperUses], basis: Basis) -> Table1:
    counted = [paper for paper in uses if paper.state == State.COUNTED]

    def row(group: Group, label: str, name: str, count: int) -> Row:
        percent = 100 * count / len(counted) if counted else None
        return Row(group.value, label, name, count, percent)

    rows = []
    for group in GROUPS:
        categories = [c for c in CATEGORIES if c.group == group]
        for category in categories:
            count = sum(1 for paper in counted if category.label in paper.counted)
            rows.append(row(group, category.label.value, category.name, count))
        # Papers with at least one use of the group: with several uses a paper counts once.
        labels = {c.label.value for c in categories}
        count = sum(1 for paper in counted if labels & set(paper.counted))
        rows.append(row(group, "", f"{group.label} sub-total", count))
    return Table1(
        rows=tuple(rows),
        papers=len(counted),
        no_seed_use=sum(1 for paper in uses if paper.state == State.NO_SEED_USE),
        unlabelled=sum(1 for paper in uses if paper.state == State.UNLABELLED),
        several_per_paper=basis == Basis.FINAL,
    )


def caption(table: Table1, selection: Selection) -> str:
    """Bethard's caption, with what was counted and what was left out."""
    parts = [
        f"Uses of neural network random seeds for {table.papers} papers ({selection.scope}).",
        f"Counted by {selection.counting}.",
    ]
    if table.several_per_paper:
        parts.append(
            "Sub-totals count papers with at least one such use, so they may add up to more "
            "than the papers counted."
        )
    parts.append(
        f"Not counted: {table.no_seed_use} papers without a neural-network seed use, "
        f"{table.unlabelled} not yet labelled."
    )
    return " ".join(parts)


def _percent(row: Row) -> str:
    return "" if row.percent is None else f"{row.percent:.1f}"


def _type(row: Row) -> str:
    return Group(row.group).label


def to_csv(table: Table1, selection: Selection) -> str:
    """One row per category and sub-total, then the total; every row says how it was counted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    about = [
        selection.basis.value,
        selection.project.name if selection.project else "",
        selection.scope,
    ]
    for row in table.rows:
        purpose = "" if row.is_subtotal else row.name
        kind = row.name if row.is_subtotal else _type(row)
        writer.writerow(safe_row([kind, purpose, row.label, row.count, _percent(row), *about]))
    total = "100.0" if table.papers else ""
    writer.writerow(safe_row(["Total papers", "", "", table.papers, total, *about]))
    return out.getvalue()


def to_markdown(table: Table1, selection: Selection) -> str:
    lines = ["| Type | Purpose | Count | % |", "| --- | --- | ---: | ---: |"]
    for row in table.rows:
        if row.is_subtotal:
            lines.append(f"| **{row.name}** | | **{row.count}** | **{_percent(row)}** |")
        else:
            lines.append(f"| {_type(row)} | {row.name} | {row.count} | {_percent(row)} |")
    lines.append(f"| **Total papers** | | **{table.papers}** | |")
    # The caption names the project and venues, which people type: HTML in them stays text.
    return "\n".join(lines) + f"\n\nTable 1: {escape(caption(table, selection), quote=False)}\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "–": "--", "—": "---", "…": r"\ldots{}",
}  # fmt: skip


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def to_latex(table: Table1, selection: Selection) -> str:
    """A `table` float with a plain `tabular` (no packages needed), Bethard's layout."""
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\begin{tabular}{llrr}",
        r"\hline",
        r"Type & Purpose & Count & \% \\",
        r"\hline",
    ]
    for row in table.rows:
        if row.is_subtotal:
            lines += [
                r"\hline",
                rf"\multicolumn{{2}}{{l}}{{{row.name}}} & {row.count} & {_percent(row)} \\",
                r"\hline",
            ]
        else:
            lines.append(rf"{_type(row)} & {row.name} & {row.count} & {_percent(row)} \\")
    lines += [
        rf"\multicolumn{{2}}{{l}}{{Total papers}} & {table.papers} & \\",
        r"\hline",
        r"\end{tabular}",
        rf"\caption{{{_latex(caption(table, selection))}}}",
        r"\label{tab:seed-uses}",
        r"\end{table}",
    ]
    return "\n".join(lines) + "\n"
