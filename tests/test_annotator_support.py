"""Helpers shared by the annotator tests: real papers, people with roles, a project."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib.auth import get_user_model

from annotator import actions
from annotator.models import Assignment, Membership, Project
from audit import actions as audit_actions
from audit.ingest.sources import Limits, from_paths
from audit.models import Corpus, Paper, Sentence

# Short papers with three highlighted sentences each (the seed sentences of the shared corpus).
PAPERS = ("zhang2023-adaptive-prefix-tuning.pdf", "bhargava2022-discosense.pdf")


PAPER_FIELDS = (
    "original_name",
    "sha256",
    "size_bytes",
    "title",
    "authors",
    "year",
    "venue",
    "pages",
    "suggested_primary",
    "seed_share",
    "usual_seed_share",
)
SENTENCE_FIELDS = (
    "index", "paragraph", "page", "page_end", "section", "kind", "text", "is_seed", "terms",
    "spans", "suggested_label", "suggested_confidence", "seed_score", "drivers",
)  # fmt: skip
# The pipeline takes about a second per paper on this machine; the tests need its output, not
# to run it again, so each paper is ingested for real once per test session and copied after.
_extracted: dict[str, tuple[dict, list[dict]]] = {}


def ingest(corpus: Corpus, corpus_dir: Path, *names: str) -> list[Paper]:
    """Real papers of the shared corpus in `corpus`, processed: text, sentences, highlights."""
    papers = []
    for name in names:
        if name in _extracted:
            fields, sentences = _extracted[name]
            paper = Paper.objects.create(
                corpus=corpus, status=Paper.Status.DONE, progress=100, **fields
            )
            Sentence.objects.bulk_create(Sentence(paper=paper, **row) for row in sentences)
        else:
            limits = Limits(max_pdf_bytes=50 * 2**20, max_zip_bytes=0)
            (source,) = from_paths([corpus_dir / name], limits)
            paper = audit_actions.add_source(corpus, source).paper
            audit_actions.process_paper(paper.pk)
            paper = Paper.objects.get(pk=paper.pk)
            _extracted[name] = (
                {field: getattr(paper, field) for field in PAPER_FIELDS},
                list(paper.sentences.values(*SENTENCE_FIELDS)),
            )
        papers.append(paper)
    return papers


def person(username: str, staff: bool = False):
    return get_user_model().objects.create_user(
        username, password=f"{username}-password", is_staff=staff
    )


def project_with(
    corpus: Corpus, annotators=(), reviewers=(), adjudicators=(), **settings
) -> Project:
    members = [(user, Membership.Role.ANNOTATOR) for user in annotators]
    members += [(user, Membership.Role.REVIEWER) for user in reviewers]
    members += [(user, Membership.Role.ADJUDICATOR) for user in adjudicators]
    settings.setdefault("probe_share", 0)
    settings.setdefault("seed", 1)  # the same probes and random order every run
    return actions.create_project(corpus, "pilot", members=members, **settings)


def queue_of(project: Project, user) -> list[Assignment]:
    return list(
        Assignment.objects.filter(project=project, annotator=user)
        .select_related("item__sentence")
        .order_by("position")
    )


def label(assignment: Assignment, value: str, note: str = "") -> None:
    actions.record_label(assignment, value, note, uuid.uuid4())
