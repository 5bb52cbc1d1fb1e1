"""A claim's report as a printable PDF: the same stored report the page shows."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import cm

from audit.documents import PdfDocument
from audit.lab.charts import distributions_chart, expected_max_chart
from audit.lab.models import Claim

CAVEAT = (
    "The lab reruns its own setups, not the paper's code: the claimed score speaks to them only "
    "as far as a setup stands in for the paper's model and data. What carries over in any case "
    "is how much a single seed, a seed-only spread and a tuned model differ."
)


def report_pdf(claim: Claim) -> bytes:
    report = claim.report
    facts = report["claim"]
    document = PdfDocument(
        title=f"Lab report: claim {claim.pk}",
        subtitle=f"{claim.paper} · {claim.get_label_display()}",
    )
    document.paragraph(f"“{facts['sentence']}”", style="quote")
    seeds = ", ".join(str(seed) for seed in facts["seeds"])
    document.paragraph(
        f"Claimed score {facts['claimed_score']:.4f} with seed {seeds}; tested on "
        f"{' and '.join(facts['setups'])}, {facts['runs']} runs per experiment."
    )
    document.heading("Verdict")
    document.paragraph(report["verdict"])
    document.paragraph(CAVEAT, style="subtitle")
    for setup_report in report["setups"]:
        _setup_section(document, setup_report, facts["claimed_score"])
    document.heading("Expected maximum by budget")
    document.chart(expected_max_chart(report))
    if report["comparison"]:
        _comparison_section(document, report["comparison"])
    return document.render()


def _setup_section(document: PdfDocument, setup_report: dict[str, Any], claimed: float) -> None:
    document.heading(f"Setup {setup_report['setup']} ({', '.join(setup_report['devices'])})")
    for finding in setup_report["findings"]:
        document.paragraph(finding)
    document.chart(distributions_chart(setup_report, claimed))
    rows = [["Distribution", "n", "Mean", "95% interval", "Range", "Claim above"]]
    for d in setup_report["distributions"]:
        rows.append(
            [
                d["title"],
                d["n"],
                f"{d['mean']:.4f}",
                f"[{d['ci']['low']:.4f}, {d['ci']['high']:.4f}] ({d['ci']['of']})",
                f"{d['lowest']:.4f} to {d['highest']:.4f}",
                f"{d['claim_percentile']:.0f}%",
            ]
        )
    document.table(rows, widths=[w * cm for w in (4.6, 1.3, 1.7, 4.0, 3.3, 2.1)])


def _comparison_section(document: PdfDocument, comparison: dict[str, Any]) -> None:
    document.heading("Comparing the two setups")
    document.paragraph(comparison["verdict"])
    sections = (
        ("Sound: the best models on the same test examples", comparison["sound"]["best_models"]),
        ("Sound: families over all hyperparameters", comparison["sound"]["families"]),
        ("Risky: only the seed varied", comparison["risky"]["seed_only"]),
    )
    for title, result in sections:
        document.heading(title, level=3)
        document.paragraph(result["verdict"])
        for warning in result["warnings"]:
            document.paragraph(f"Warning: {warning}")
