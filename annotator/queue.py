"""What an annotator sees next: cards for their sentences, and papers to confirm.

A card shows a sentence inside its paragraph, with the paper's title, year and section. It never
carries another annotator's label (blind labelling), the highlighter's suggested category (it
would anchor the annotator), or whether the item is a recall probe: a probe shows the words that
drove its model score marked, as a highlighted sentence shows its seed terms.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils.html import escape

from annotator.models import Assignment, Item, Membership, Project
from annotator.primary import default_primary
from audit.models import Paper, Sentence
from audit.paper_text import driver_spans, highlighted, marks

# The busiest read, written out: building it with the ORM cost ten times the CPU of running it.
# It finds the next cards, checks the membership, and tells for each whether no unlabelled card
# of its paper comes after it in the queue (labelling it finishes the paper, and the session then
# asks the paper's primary category). Standard SQL, for PostgreSQL and SQLite alike.
NEXT_CARDS_SQL = """
SELECT a.id, a.skipped, a.note, a.item_id,
       s.id, s.paper_id, s."index", s.paragraph, s.page, s.section, s.text, s.is_seed,
       s.terms, s.spans, s.drivers, p.title, p.original_name, p.year,
       NOT EXISTS (
           SELECT 1 FROM annotator_assignment later
           WHERE later.project_id = a.project_id AND later.annotator_id = a.annotator_id
             AND later.paper_id = a.paper_id AND later.label = ''
             AND (later.skipped > a.skipped
                  OR (later.skipped = a.skipped AND later.position > a.position))
       )
FROM annotator_assignment a
JOIN annotator_item i ON i.id = a.item_id
JOIN audit_sentence s ON s.id = i.sentence_id
JOIN audit_paper p ON p.id = s.paper_id
WHERE a.project_id = %s AND a.annotator_id = %s AND a.label = ''
  AND EXISTS (
      SELECT 1 FROM annotator_membership m
      WHERE m.project_id = a.project_id AND m.user_id = a.annotator_id AND m.role = %s
  )
ORDER BY a.skipped, a.position
LIMIT %s
"""
# Primary keys are 64-bit: a larger number in a request matches nothing, as the ORM has it.
ID_BITS = 64
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

    None unless they are an annotator of the project.
    """
    project_id = project.pk if isinstance(project, Project) else project
    if not is_id(project_id):
        return []
    excluded = set(exclude)
    with connection.cursor() as cursor:
        # Asking for as many more as the browser holds and leaving those out gives the same
        # cards as leaving them out in SQL.
        cursor.execute(
            NEXT_CARDS_SQL,
            [project_id, annotator.pk, Membership.Role.ANNOTATOR, limit + len(excluded)],
        )
        rows = [row for row in cursor.fetchall() if row[0] not in excluded][:limit]
    pending = [_assignment_from_row(row) for row in rows]
    context = paragraph_context([assigned.item.sentence for assigned in pending])
    return [
        {**card(assigned, context[assigned.item.sentence_id]), "closes_paper": bool(row[-1])}
        for assigned, row in zip(pending, rows, strict=True)
    ]


def is_id(value: int) -> bool:
    """Whether a number from a request can be a primary key at all."""
    return -(2 ** (ID_BITS - 1)) <= value < 2 ** (ID_BITS - 1)


def _assignment_from_row(row: tuple) -> Assignment:
    (pk, skipped, note, item_id, sentence_id, paper_id, index, paragraph, page, section, text,
     is_seed, terms, spans, drivers, title, original_name, year, _) = row  # fmt: skip
    paper = Paper(pk=paper_id, title=title, original_name=original_name, year=year)
    sentence = Sentence(
        pk=sentence_id, paper=paper, index=index, paragraph=paragraph, page=page,
        section=section, text=text, is_seed=bool(is_seed), terms=_json(terms),
        spans=_json(spans), drivers=_json(drivers),
    )  # fmt: skip
    item = Item(pk=item_id, sentence=sentence)
    return Assignment(pk=pk, item=item, skipped=bool(skipped), note=note)


def _json(text: str) -> list:
    # Django reads JSON columns as text on both databases and decodes them in the field.
    return json.loads(text)


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
    # Written out: the ORM's filter cost several times the query's own time on the busiest read.
    where = " OR ".join(
        ['(paper_id = %s AND paragraph = %s AND "index" BETWEEN %s AND %s)'] * len(sentences)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT paper_id, paragraph, "index", text FROM audit_sentence WHERE {where} '
            'ORDER BY "index"',
            [
                value
                for sentence in sentences
                for value in (
                    sentence.paper_id,
                    sentence.paragraph,
                    sentence.index - PARAGRAPH_REACH,
                    sentence.index + PARAGRAPH_REACH,
                )
            ],
        )
        around = cursor.fetchall()
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


# The papers the annotator has finished but not confirmed (every sentence of theirs labelled, at
# least one highlighted, no primary category yet), with their labels; {papers} narrows them.
# Written out: the label endpoint asks after every paper an annotator finishes, and building it
# with the ORM cost ten times the CPU of running it.
PAPERS_TO_CONFIRM_SQL = """
SELECT a.paper_id, a.label, p.title, p.original_name, p.year
FROM annotator_assignment a
JOIN audit_paper p ON p.id = a.paper_id
WHERE a.project_id = %s AND a.annotator_id = %s {a_papers}
  AND a.paper_id IN (
      SELECT b.paper_id FROM annotator_assignment b
      JOIN annotator_item i ON i.id = b.item_id
      WHERE b.project_id = %s AND b.annotator_id = %s {b_papers}
        AND NOT EXISTS (
            SELECT 1 FROM annotator_primarycategory c
            WHERE c.project_id = b.project_id AND c.annotator_id = b.annotator_id
              AND c.paper_id = b.paper_id
        )
      GROUP BY b.paper_id
      HAVING SUM(CASE WHEN b.label = '' THEN 1 ELSE 0 END) = 0
         AND SUM(CASE WHEN i.is_probe THEN 0 ELSE 1 END) > 0
  )
ORDER BY a.paper_id
"""


def papers_to_confirm(
    project: Project | int, annotator: AbstractBaseUser, paper_ids: Sequence[int] | None = None
) -> list[dict]:
    """Papers whose sentences the annotator has all labelled but whose primary category they
    have not confirmed yet, each with the default from their own labels. One query."""
    project_id = project.pk if isinstance(project, Project) else project
    papers = [pk for pk in paper_ids if is_id(pk)] if paper_ids is not None else None
    if papers == []:
        return []
    placeholders = ", ".join(["%s"] * len(papers or []))
    sql = PAPERS_TO_CONFIRM_SQL.format(
        **{
            f"{alias}_papers": f"AND {alias}.paper_id IN ({placeholders})" if papers else ""
            for alias in "ab"
        }
    )
    mine = [project_id, annotator.pk, *(papers or [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, mine + mine)
        rows = cursor.fetchall()
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
