"""The comparison report as a PDF: the page's verdict, charts and tables, for print."""

from __future__ import annotations

from audit.compare import charts
from audit.compare.report import (
    Report,
    expected_max_table,
    method_note,
    systems_table,
    tests_table,
)
from audit.documents import PdfDocument


def report_pdf(report: Report) -> bytes:
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
        document.paragraph(
            "The expected best score among n runs drawn at random from these (Dodge et al. "
            "2019): what a random search with that budget would report."
        )
        document.chart(expected_max, width_cm=13)
        document.table(expected_max_table(report))
    document.paragraph(method_note(report), style="subtitle")
    return document.render()
