"""Which seed-use model reads a corpus, and re-reading a corpus when that changes.

Re-scoring changes highlights, scores and suggestions only: sentences keep their rows, so every
label, item and claim on them stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.db import transaction

from audit.models import Corpus, Paper, SeedModel, Sentence
from audit.seeduse.features import is_implicit
from audit.seeduse.model import SeedUseModel, shipped
from audit.seeduse.scoring import read_sentences
from audit.seeduse.training import Line, pattern_kind

_RESCORED_FIELDS = [
    "is_seed", "seed_score", "suggested_label", "suggested_confidence", "drivers",
]  # fmt: skip


@lru_cache(maxsize=8)
def _version(pk: int) -> SeedUseModel:
    # A version's weights never change once trained, so its id is a safe cache key.
    return SeedUseModel.from_bytes(bytes(SeedModel.objects.get(pk=pk).weights))


def corpus_model(corpus_id: int) -> SeedUseModel:
    """The corpus's default version, or the shipped model."""
    pk = (
        SeedModel.objects.filter(corpus_id=corpus_id, is_default=True)
        .values_list("pk", flat=True)
        .first()
    )
    return _version(pk) if pk else shipped()


def stored_lines(sentences: Sequence[Sentence]) -> list[Line]:
    """A paper's stored sentences, in reading order, as the seed-use model reads them."""
    return [
        Line(s.text, s.section, s.kind, s.paragraph, pattern_kind(s.terms, is_implicit(s.text)))
        for s in sentences
    ]


def rescore_paper(paper: Paper, model: SeedUseModel) -> None:
    sentences = list(paper.sentences.order_by("index"))
    paper_reading = read_sentences(stored_lines(sentences), model)
    for sentence, reading in zip(sentences, paper_reading.sentences, strict=True):
        sentence.is_seed = reading.is_seed
        sentence.seed_score = reading.score
        sentence.suggested_label = reading.suggested_label
        sentence.suggested_confidence = reading.confidence
        sentence.drivers = reading.drivers
    with transaction.atomic():
        Sentence.objects.bulk_update(sentences, _RESCORED_FIELDS, batch_size=1000)
        paper.suggested_primary = paper_reading.suggested_primary or ""
        paper.seed_share = paper_reading.seed_share
        paper.usual_seed_share = paper_reading.usual_seed_share
        paper.save(update_fields=["suggested_primary", "seed_share", "usual_seed_share"])


def rescore_corpus(corpus_id: int) -> int:
    """Score every processed paper of the corpus with its model; returns how many."""
    model = corpus_model(corpus_id)
    papers = Paper.objects.filter(corpus_id=corpus_id, status=Paper.Status.DONE)
    for paper in papers:
        rescore_paper(paper, model)
    return len(papers)


def make_default(corpus: Corpus, version: SeedModel | None) -> None:
    """Make `version` (None: the shipped model) the one that reads the corpus."""
    with transaction.atomic():
        SeedModel.objects.filter(corpus=corpus, is_default=True).update(is_default=False)
        if version is not None:
            SeedModel.objects.filter(pk=version.pk, status=SeedModel.Status.DONE).update(
                is_default=True
            )
