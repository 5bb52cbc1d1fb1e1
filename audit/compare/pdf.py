"""The comparison report as a PDF: the page's verdict, charts and tables, for print."""

from __future__ import annotations

from audit.compare import charts
from audit.compare.report import (
    MANY_METHOD,
    ManyReport,
    Report,
    expected_max_note,
    expected_max_table,
    method_note,
    needed_text,
    pairs_matrix,
    ranking_steps,
    systems_of,
    systems_table,
    tests_table,
)
from audit.documents import PdfDocument


def report_pdf(report: Report | ManyReport) -> bytes:
    if isinstance(report, ManyReport):
        return _many_pdf(report)
    first, second = report.names
    scores = report.scores
    document = PdfDocument(
        title=f"{first} vs {second}",
        subtitle=f"seedaudit comparison report: {scores.layout}",
    )
    document.heading("Verdict")
    document.paragraph(report.comparison.verdict)
    for warning in report.comparison.warnings:
        document.paragraph(f"Warning: {warning}", style="quote")
    if report.needed is not None:
        document.heading("How many runs would tell them apart?", level=3)
        document.paragraph(needed_text(report))
    if scores.notes:
        document.heading("What the file says about the runs", level=3)
        for note in scores.notes:
            document.paragraph(note)
    document.heading("Distributions")
    document.chart(charts.distributions_chart(report))
    document.heading("Estimates and intervals")
    document.chart(charts.intervals_chart(report))
    document.table(systems_table(report))
    document.heading("Tests")
    document.table(tests_table(report))
    expected_max = charts.expected_max_chart(report)
    if expected_max is not None:
        document.heading("Expected maximum performance")
        document.paragraph(expected_max_note(report))
        document.chart(expected_max, width_cm=13)
        document.table(expected_max_table(report))
    document.paragraph(method_note(report), style="subtitle")
    return document.render()


def _many_pdf(report: ManyReport) -> bytes:
    document = PdfDocument(
        title=f"{len(report.names)} systems compared",
        subtitle=f"seedaudit comparison report: {report.scores.layout}",
    )
    document.heading("Verdict")
    document.paragraph(report.verdict)
    for note in report.scores.notes:
        document.paragraph(note)
    for verdict in report.judged:
        document.heading(verdict.dataset or "Runs")
        document.chart(charts.many_distributions_chart(report, verdict))
        document.table(systems_of(report, verdict))
        document.heading("Every pair (row against column)", level=3)
        document.table(pairs_matrix(verdict))
        document.heading("The ranking, step by step", level=3)
        document.table(ranking_steps(verdict))
    document.paragraph(MANY_METHOD, style="subtitle")
    return document.render()
