"""A project's labels read back: per item, for agreement, and the final label exports use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from annotator.agreement import MISSING, Ratings
from annotator.models import Assignment, Item, Project
from audit.taxonomy import LABELS


def final_label(labels: Sequence[str], adjudicated: str, complete: bool = True) -> str:
    """The adjudicated label, else the one label all its annotators gave once all have given
    one (`complete`); "" while undecided."""
    if adjudicated:
        return adjudicated
    if complete and labels and len(set(labels)) == 1:
        return labels[0]
    return ""


@dataclass(frozen=True)
class GivenLabel:
    annotator: str
    label: str
    note: str


@dataclass
class ItemLabels:
    item: Item
    labels: list[GivenLabel] = field(default_factory=list)
    pending: int = 0  # annotators it is dealt to who have not labelled it yet

    @property
    def final(self) -> str:
        labels = [g.label for g in self.labels]
        return final_label(labels, self.item.final_label, complete=not self.pending)

    @property
    def disagree(self) -> bool:
        return len({g.label for g in self.labels}) > 1


def item_labels(project: Project, items=None) -> list[ItemLabels]:
    """Every item of `project` (or of the `items` queryset) with its labels, in queue order."""
    items = (items if items is not None else project.items.all()).select_related(
        "sentence__paper", "adjudicated_by"
    )
    by_item = {item.pk: ItemLabels(item) for item in items.order_by("position")}
    given = (
        Assignment.objects.filter(item__in=items)
        .order_by("annotator__username")
        .values_list("item_id", "annotator__username", "label", "note")
    )
    for item_id, annotator, label, note in given:
        if label:
            by_item[item_id].labels.append(GivenLabel(annotator, label, note))
        else:
            by_item[item_id].pending += 1
    return list(by_item.values())


def ratings(project: Project) -> Ratings:
    """All labels of the project as codes[item, annotator], for the agreement figures."""
    given = (
        Assignment.objects.filter(project=project)
        .exclude(label="")
        .values_list("item_id", "annotator__username", "label")
    )
    by_item: dict[int, dict[str, str]] = defaultdict(dict)
    for item_id, annotator, label in given:
        by_item[item_id][annotator] = label
    annotators = tuple(sorted({a for labels in by_item.values() for a in labels}))
    codes = np.full((len(by_item), len(annotators)), MISSING)
    for row, labels in enumerate(by_item.values()):
        for annotator, label in labels.items():
            codes[row, annotators.index(annotator)] = LABELS.index(label)
    return Ratings(LABELS, annotators, codes)


def final_labels(project: Project) -> dict[int, str]:
    """sentence id -> final label, for the decided items: what exports and charts use."""
    return {entry.item.sentence_id: entry.final for entry in item_labels(project) if entry.final}
