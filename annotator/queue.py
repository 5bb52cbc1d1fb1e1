"""What an annotator sees next: cards for their sentences, and papers to confirm.

A card shows a sentence inside its paragraph, with the paper's title, year and section. It never
carries another annotator's label (blind labelling), the highlighter's suggested category (it
would anchor the annotator), or whether the item is a recall probe: a probe shows the words that
drove its model score marked, as a highlighted sentence shows its seed terms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.html import escape

from annotator.models import Assignment, Membership, PrimaryCategory, Project
from annotator.primary import default_primary
from audit.models import Sentence
from audit.paper_text import driver_spans, highlighted, marks

# What a card shows of an assignment, its sentence and paper: reading no more keeps the busiest
# query light.
CARD_FIELDS = (
    "skipped",
    "note",
    "paper",
    "item__sentence__paper__title",
    "item__sentence__paper__original_name",
    "item__sentence__paper__year",
    *(
        f"item__sentence__{name}"
        for name in (
            "index", "paragraph", "page", "section", "text", "is_seed", "terms", "spans", "drivers"
        )
    ),
)  # fmt: skip
# Sentences of a paragraph are consecutive; looking this far either side finds them all by the
# (paper, index) index instead of scanning the paper for its paragraph number.
PARAGRAPH_REACH = 60


def next_cards(
    project: Project | int,
    annotator: AbstractBaseUser,
    exclude: Sequence[int] = (),
    limit: int = 3,
) -> list[dict]:
    """The annotator's next unlabelled items, skipped ones last; `exclude`: ones the browser has.

    None unless they are an annotator of the project. The busiest read, so one query finds the
    cards, checks the membership and tells which card closes its paper.
    """
    # Unlabelled ones of the same paper that come after it in the queue: none, and labelling it
    # finishes its paper (the session asks the paper's primary category next).
    later_in_paper = Assignment.objects.filter(
        Q(skipped__gt=OuterRef("skipped"))
        | Q(skipped=OuterRef("skipped"), position__gt=OuterRef("position")),
        project=OuterRef("project"),
        annotator=OuterRef("annotator"),
        paper=OuterRef("paper"),
        label="",
    )
    pending = list(
        Assignment.objects.filter(
            project=project,
            annotator=annotator,
            label="",
            project__memberships__user=annotator,
            project__memberships__role=Membership.Role.ANNOTATOR,
        )
        .exclude(pk__in=exclude)
        .annotate(closes_paper=~Exists(later_in_paper))
        .order_by("skipped", "position")
        .select_related("item__sentence__paper")
        .only(*CARD_FIELDS)[:limit]
    )
    context = paragraph_context([assigned.item.sentence for assigned in pending])
    return [
        {
            **card(assigned, context[assigned.item.sentence_id]),
            "closes_paper": assigned.closes_paper,
        }
        for assigned in pending
    ]


def card(assigned: Assignment, paragraph: tuple[str, str] | None = None) -> dict:
    sentence = assigned.item.sentence
    paper = sentence.paper
    # A probe shows the words that drove its score, as a highlighted sentence does: annotators
    # cannot tell the two apart.
    spans = marks(sentence) if sentence.is_seed else driver_spans(sentence.text, sentence.drivers)
    before, after = paragraph or paragraph_context([sentence])[sentence.pk]
    return {
        "assignment": assigned.pk,
        "paper": {"id": paper.pk, "title": paper.title or paper.original_name, "year": paper.year},
        "section": sentence.section,
        "page": sentence.page,
        "before": before,
        "sentence": highlighted(sentence.text, spans),
        "why": _why(sentence),
        "after": after,
        "skipped": assigned.skipped,
        "note": assigned.note,
    }


def _why(sentence: Sentence) -> str:
    # Without the model's score: probes score low by design, and annotators are never told which
    # items are probes.
    if sentence.is_seed and sentence.terms:
        return "Highlighted: the pattern matched " + ", ".join(f"“{t}”" for t in sentence.terms)
    if sentence.drivers:
        return "Highlighted by the model, from " + ", ".join(f"“{w}”" for w in sentence.drivers)
    return "Highlighted by the model"


def paragraph_context(sentences: list[Sentence]) -> dict[int, tuple[str, str]]:
    """The rest of each sentence's paragraph, before and after it, as HTML; one query for all."""
    if not sentences:
        return {}
    where = Q()
    for sentence in sentences:
        where |= Q(
            paper_id=sentence.paper_id,
            paragraph=sentence.paragraph,
            index__range=(sentence.index - PARAGRAPH_REACH, sentence.index + PARAGRAPH_REACH),
        )
    around = (
        Sentence.objects.filter(where)
        .order_by("index")
        .values_list("paper_id", "paragraph", "index", "text")
    )
    context = {}
    for sentence in sentences:
        same = [
            (index, text)
            for paper, paragraph, index, text in around
            if (paper, paragraph) == (sentence.paper_id, sentence.paragraph)
        ]
        before = " ".join(text for index, text in same if index < sentence.index)
        after = " ".join(text for index, text in same if index > sentence.index)
        context[sentence.pk] = (escape(before), escape(after))
    return context


def papers_to_confirm(
    project: Project | int, annotator: AbstractBaseUser, paper_ids: Sequence[int] | None = None
) -> list[dict]:
    """Papers whose sentences the annotator has all labelled but whose primary category they
    have not confirmed yet, each with the default from their own labels.

    One query: the label endpoint asks after every paper an annotator finishes.
    """
    mine = Assignment.objects.filter(project=project, annotator=annotator)
    if paper_ids is not None:
        mine = mine.filter(paper_id__in=paper_ids)
    confirmed = PrimaryCategory.objects.filter(
        project=project, annotator=annotator, paper=OuterRef("paper_id")
    )
    complete = (
        mine.filter(~Exists(confirmed))
        .values("paper_id")
        .annotate(
            pending=Count("pk", filter=Q(label="")),
            highlighted=Count("pk", filter=Q(item__is_probe=False)),
        )
        .filter(pending=0, highlighted__gt=0)
        .values("paper_id")
    )
    rows = (
        mine.filter(paper_id__in=complete)
        .order_by("paper_id")
        .values_list("paper_id", "label", "paper__title", "paper__original_name", "paper__year")
    )
    labels_of: dict[int, Counter] = defaultdict(Counter)
    shown: dict[int, tuple[str, int | None]] = {}
    for paper_id, label, title, original_name, year in rows:
        labels_of[paper_id][label] += 1
        shown[paper_id] = (title or original_name, year)
    return [
        {
            "paper": paper_id,
            "title": title,
            "year": year,
            "default": default_primary(labels_of[paper_id].elements()),
            "counts": dict(labels_of[paper_id]),
        }
        for paper_id, (title, year) in shown.items()
    ]


def recent_labels(project: Project, annotator: AbstractBaseUser, count: int = 5) -> list[dict]:
    """The annotator's latest labels, newest first, as the session shows them after a reload."""
    latest = (
        Assignment.objects.filter(project=project, annotator=annotator)
        .exclude(label="")
        .order_by("-labelled_at", "-pk")
        .select_related("item__sentence")[:count]
    )
    return [
        {"assignment": given.pk, "label": given.label, "text": given.item.sentence.text}
        for given in latest
    ]
