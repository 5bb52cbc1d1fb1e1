"""The lab reports that test a paper's seed claims (`audit.lab.claims.paper_reports`), as the
checklist links them: a title, the one-line verdict and the report page."""

from __future__ import annotations

from dataclasses import dataclass

from audit.lab.claims import paper_reports
from audit.models import Paper


@dataclass(frozen=True)
class LabLink:
    title: str
    verdict: str
    url: str  # the report page's path on this site
    finished: bool


def lab_links(paper: Paper) -> list[LabLink]:
    return [
        LabLink(
            title=f"{' vs '.join(report.setups)}, claimed score {report.claimed_score:g}",
            verdict=report.verdict,
            url=report.url,
            finished=report.finished,
        )
        for report in paper_reports(paper)
    ]
