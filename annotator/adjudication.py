"""What an adjudicator settles: sentences whose annotators disagree, and papers whose annotators
confirmed different primary categories. Never the ones dealt to the adjudicator (blindness)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from annotator.labels import ItemLabels, item_labels
from annotator.models import Assignment, Project
from annotator.primary import PaperPrimary, project_primaries
from audit.access import items_to_adjudicate


@dataclass(frozen=True)
class Disagreements:
    items: list[ItemLabels]  # sentences the user may decide whose annotators disagree
    papers: list[PaperPrimary]  # papers whose annotators confirmed different primaries
    held_back: int  # disagreements on sentences dealt to the user: another adjudicator's

    @property
    def total(self) -> int:
        return len(self.items) + len(self.papers)

    @property
    def decided(self) -> int:
        return sum(bool(e.item.final_label) for e in self.items) + sum(
            bool(p.decided) for p in self.papers
        )


def disagreements(project: Project, user: AbstractBaseUser) -> Disagreements:
    entries = item_labels(project)
    allowed = set(items_to_adjudicate(user, project).values_list("pk", flat=True))
    split = [entry for entry in entries if entry.disagree]
    mine = set(
        Assignment.objects.filter(project=project, annotator=user).values_list(
            "item__sentence__paper_id", flat=True
        )
    )
    papers = [
        row
        for row in project_primaries(project, entries)
        if row.disagree and row.paper.pk not in mine
    ]
    return Disagreements(
        items=[entry for entry in split if entry.item.pk in allowed],
        papers=papers,
        held_back=sum(entry.item.pk not in allowed for entry in split),
    )
