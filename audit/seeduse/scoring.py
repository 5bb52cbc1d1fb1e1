"""Reading a paper's sentences with the seed-use model: which are highlighted, why, and what
they are suggested to be.

A sentence is highlighted when a seed pattern matches it or the model's score reaches the
threshold (`SEEDAUDIT_SEED_THRESHOLD`, set low: a false alarm costs an annotator one key, a miss
costs the audit). Reference-list entries never are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from audit.seeduse.model import SeedUseModel, shipped, suggested_primary
from audit.seeduse.training import Line, contexts

REFERENCE = "reference"


@dataclass(frozen=True)
class Reading:
    is_seed: bool
    score: float
    suggested_label: str  # "" unless highlighted
    confidence: float | None
    drivers: list[str]


@dataclass(frozen=True)
class PaperReading:
    sentences: list[Reading]
    suggested_primary: str | None
    # The paper's estimated share of seed sentences and the share usual in a paper the model has
    # not seen (None without a paper prior); scores were raised when the first is larger.
    seed_share: float | None
    usual_seed_share: float | None


def read_sentences(lines: Sequence[Line], model: SeedUseModel | None = None) -> PaperReading:
    """Every sentence of one paper scored in one batch, and the paper's suggested primary use."""
    model = model or shipped()
    scores = model.score_paper(contexts(lines))
    threshold = settings.SEEDAUDIT_SEED_THRESHOLD
    readings = []
    highlighted = []
    for line, s in zip(lines, scores.sentences, strict=True):
        is_seed = line.kind != REFERENCE and (bool(line.pattern) or s.score >= threshold)
        if is_seed:
            highlighted.append(s)
        readings.append(
            Reading(
                is_seed=is_seed,
                score=round(s.score, 4),
                suggested_label=s.label if is_seed else "",
                confidence=round(s.confidence, 4) if is_seed else None,
                drivers=s.drivers,
            )
        )
    return PaperReading(readings, suggested_primary(highlighted), scores.share, scores.expected)
