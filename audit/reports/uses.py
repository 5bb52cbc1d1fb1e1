"""Every paper's seed sentences with the label that counts, and the paper's category: what the
checklist, the spreadsheet, Table 1 and the chart are all made from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from annotator.labels import GivenLabel, item_labels
from annotator.models import Project
from annotator.primary import default_primary, project_primaries
from audit.models import Paper, Sentence
from audit.reports.basis import Basis, Selection
from audit.taxonomy import LABELS, Group, Label, group_of

NO_SEED_USE = Label.NOT_SEED_USE.value
SOURCES = {
    "final": "final label",
    "suggested": "seed-use model's suggestion",
    "": "not yet labelled",
}


class State:
    COUNTED = "counted"  # has a seed use: Table 1 counts it
    NO_SEED_USE = "no_seed_use"  # nothing highlighted, or only other senses of "seed"
    UNLABELLED = "unlabelled"  # highlighted sentences, none decided yet


@dataclass(frozen=True)
class SentenceUse:
    sentence: Sentence
    label: str  # the label that counts; "" while undecided
    source: str  # "final" (annotators), "suggested" (highlighter) or ""
    given: tuple[GivenLabel, ...] = ()  # what each annotator said

    @property
    def group(self) -> str:
        return group_of(self.label).value if self.label else ""

    @property
    def source_name(self) -> str:
        return SOURCES[self.source]

    @property
    def location(self) -> str:
        """Where the sentence is: "p. 6, 4.1 Experimental Setup"."""
        sentence = self.sentence
        if sentence.page_end and sentence.page_end != sentence.page:
            pages = f"pp. {sentence.page}–{sentence.page_end}"
        else:
            pages = f"p. {sentence.page}"
        return f"{pages}, {sentence.section}" if sentence.section else pages


@dataclass(frozen=True)
class PaperUses:
    paper: Paper
    sentences: tuple[SentenceUse, ...]
    primary: str  # the paper's one category; "" while unlabelled
    counted: tuple[str, ...]  # the seed-use categories Table 1 counts for the paper

    @property
    def labels(self) -> list[str]:
        """Every label its sentences have, in the taxonomy's order."""
        found = {use.label for use in self.sentences}
        return [label for label in LABELS if label in found]

    @property
    def state(self) -> str:
        if self.counted:
            return State.COUNTED
        if not self.sentences or self.primary == NO_SEED_USE:
            return State.NO_SEED_USE
        return State.UNLABELLED

    @property
    def group(self) -> str:
        return group_of(self.primary).value if self.primary else ""

    @property
    def snippet(self) -> SentenceUse | None:
        """The sentence that justifies the paper's category (Bethard's snippet)."""
        if not self.primary:
            return None
        return next((use for use in self.sentences if use.label == self.primary), None)


def paper_uses(papers: QuerySet[Paper], project: Project | None, basis: Basis) -> list[PaperUses]:
    """One entry per paper of `papers`, in file-name order.

    The sentences are the highlighted ones, and the recall probes annotators found to be seed
    uses (a seed use the highlighter missed is still one).
    """
    entries = (
        item_labels(project, project.items.filter(sentence__paper__in=papers)) if project else []
    )
    decided = {entry.item.sentence_id: entry for entry in entries}
    missed = [
        sentence_id
        for sentence_id, entry in decided.items()
        if entry.item.is_probe and entry.final not in ("", NO_SEED_USE)
    ]
    by_paper: dict[int, list[SentenceUse]] = defaultdict(list)
    sentences = Sentence.objects.filter(paper__in=papers).filter(Q(is_seed=True) | Q(pk__in=missed))
    for sentence in sentences.order_by("paper_id", "index"):
        entry = decided.get(sentence.pk)
        final = entry.final if entry else ""
        given = tuple(entry.labels) if entry else ()
        if final:
            use = SentenceUse(sentence, final, "final", given)
        elif basis == Basis.SUGGESTED and sentence.suggested_label:
            use = SentenceUse(sentence, sentence.suggested_label, "suggested", given)
        else:
            use = SentenceUse(sentence, "", "", given)
        by_paper[sentence.paper_id].append(use)

    primaries = {}
    if basis == Basis.PRIMARY and project:
        primaries = {row.paper.pk: row for row in project_primaries(project, entries)}
    result = []
    for paper in papers.order_by("original_name", "pk"):
        uses = tuple(by_paper[paper.pk])
        labels = [use.label for use in uses if use.label]
        if basis == Basis.PRIMARY:
            row = primaries.get(paper.pk)
            primary = row.final if row else ""
        elif basis == Basis.SUGGESTED and labels and all(u.source != "final" for u in uses):
            # Nobody has decided any of its sentences: the seed-use model's guess for the paper.
            primary = paper.suggested_primary or NO_SEED_USE
        else:
            primary = default_primary(labels) if labels else ""
        if basis == Basis.FINAL:
            counted = tuple(label for label in LABELS if label in labels and _is_use(label))
        else:
            counted = (primary,) if primary and _is_use(primary) else ()
        result.append(PaperUses(paper, uses, primary, counted))
    return result


def selected_uses(selection: Selection) -> list[PaperUses]:
    return paper_uses(selection.papers(), selection.project, selection.basis)


def _is_use(label: str) -> bool:
    return group_of(label) != Group.NONE
