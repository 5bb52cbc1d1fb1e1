"""A paper's primary seed use: Bethard (2022) counted one category per paper.

When several applied he picked one arbitrarily; here the default is the most frequent risky label
of the paper's sentences (risky uses are what an audit is after), then the most frequent safe one,
and "not a seed use" when the paper has neither. Annotators confirm or change it per paper.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.labels import ItemLabels
from annotator.models import PrimaryCategory, Project
from audit.models import Paper
from audit.taxonomy import CATEGORIES, Group, Label


def default_primary(labels: Iterable[str]) -> str:
    counts = Counter(labels)
    for group in (Group.RISKY, Group.SAFE):
        candidates = [c.label.value for c in CATEGORIES if c.group == group and counts[c.label]]
        if candidates:
            # max keeps the first of equals, and candidates are in the taxonomy's order: ties
            # never depend on the order the labels came in.
            return max(candidates, key=counts.__getitem__)
    return Label.NOT_SEED_USE.value


@dataclass
class PaperPrimary:
    paper: Paper
    from_labels: str  # the default from the paper's final sentence labels; "" while none is final
    labelled: bool = False  # whether anyone has labelled one of its sentences yet
    confirmed: dict[str, str] = field(default_factory=dict)  # annotator -> their choice
    decided: str = ""  # an adjudicator's choice, settling a split

    @property
    def final(self) -> str:
        """The adjudicator's choice, else what most annotators confirmed, else the default from
        the labels; "" while there is none of these."""
        if self.decided:
            return self.decided
        if not self.confirmed:
            return self.from_labels
        ranked = Counter(self.confirmed.values()).most_common()
        tied = [label for label, count in ranked if count == ranked[0][1]]
        return tied[0] if len(tied) == 1 else self.from_labels

    @property
    def disagree(self) -> bool:
        return len(set(self.confirmed.values())) > 1

    @property
    def missing(self) -> str:
        """Why there is no primary category yet, for people."""
        return "undecided" if self.labelled else "not labelled yet"


def project_primaries(project: Project, entries: list[ItemLabels]) -> list[PaperPrimary]:
    """One row per paper with highlighted sentences in the project, in queue order.

    Probes count towards the default (a missed seed use is still one), but a paper with probes
    alone gets no row: annotators never saw it as a paper that talks about seeds.
    """
    finals: dict[int, list[str]] = defaultdict(list)
    papers: dict[int, Paper] = {}
    labelled: set[int] = set()
    for entry in entries:
        paper = entry.item.sentence.paper
        if not entry.item.is_probe:
            papers.setdefault(paper.pk, paper)
        if entry.labels:
            labelled.add(paper.pk)
        if entry.final:
            finals[paper.pk].append(entry.final)
    rows = {
        pk: PaperPrimary(
            paper,
            default_primary(finals[pk]) if finals[pk] else "",
            labelled=pk in labelled,
        )
        for pk, paper in papers.items()
    }
    confirmed = PrimaryCategory.objects.filter(project=project).values_list(
        "paper_id", "annotator__username", "label"
    )
    for paper_id, annotator, label in confirmed:
        if paper_id in rows:
            rows[paper_id].confirmed[annotator] = label
    for paper_id, label in project.paper_decisions.values_list("paper_id", "label"):
        if paper_id in rows:
            rows[paper_id].decided = label
    return list(rows.values())
