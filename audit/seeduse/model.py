"""A trained seed-use model, and how sentences are scored with it.

Two linear models over the same features (`audit.seeduse.features`): one says how likely a
sentence is about a neural network's random seed, the other gives a distribution over the six
labels of the taxonomy. A model is a vocabulary and two weight arrays in one `.npz` file, so
scoring a paper is one sparse matrix product and loading needs nothing but NumPy.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from audit.ingest.paragraphs import REFERENCE
from audit.seeduse.features import SentenceContext, features
from audit.taxonomy import LABELS, Group, Label, group_of

SHIPPED_PATH = Path(__file__).with_name("data") / "model.npz"
SEED_WORD_FEATURE = "c:seed_word"
# Words shown as the reason a sentence was highlighted.
DRIVERS = 3
# Bounds on a paper's estimated share of seed sentences: a paper of seed talk alone is still
# half other sentences, and an empty estimate must not end in log(0).
MAX_PAPER_SHARE = 0.5
MIN_SHARE = 1e-4
PRIOR_ITERATIONS = 20


@dataclass(frozen=True)
class Scored:
    score: float  # probability that the sentence is about a random seed
    label: str  # the most likely of the six labels
    confidence: float  # that label's probability
    drivers: list[str]  # the words that raised the score most


@dataclass(frozen=True)
class PaperScores:
    sentences: list[Scored]
    # The paper's estimated share of seed sentences, and the share the model expects of a paper
    # it has not seen (None for a model without a paper prior): the sentences' scores were
    # raised when the first is the larger.
    share: float | None = None
    expected: float | None = None


@dataclass
class SeedUseModel:
    vocabulary: list[str]
    seed_weights: np.ndarray  # (features,)
    seed_bias: float
    label_weights: np.ndarray  # (features, labels)
    label_bias: np.ndarray  # (labels,)
    labels: tuple[str, ...] = LABELS
    about: dict | None = None  # how it was trained, and its figures
    # The share of seed sentences the model expects of a paper like those it learned from (the
    # mean of its out-of-fold scores), and the factor by which training weighted seed sentences
    # up; with them a paper that talks of re-runs more than usual raises its sentences' scores.
    # None: scores are never raised (a model stored before there was a paper prior).
    reference_share: float | None = None
    seed_weight: float = 1.0

    def __post_init__(self) -> None:
        self._index = {name: i for i, name in enumerate(self.vocabulary)}
        # Like its features, a sentence's columns are found once: a paper read again reuses
        # them.
        self._columns = lru_cache(maxsize=2**14)(self._columns_of)

    @cached_property
    def _driver_ranking(self) -> tuple[np.ndarray, list[str]]:
        """Per column, its rank as a driver (-1: never one), and the drivers' names by rank.

        A driver is a word or word pair that raises the score, ranked by weight and then name,
        both descending, so a sentence's drivers are its best-ranked columns.
        """
        order = sorted(
            (
                c
                for c, name in enumerate(self.vocabulary)
                if name[:2] in ("w:", "b:") and self.seed_weights[c] > 0
            ),
            key=lambda c: (self.seed_weights[c], self.vocabulary[c]),
            reverse=True,
        )
        rank = np.full(len(self.vocabulary), -1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank, [self.vocabulary[c][2:].replace("_", " ") for c in order]

    def _columns_of(self, sentence: SentenceContext) -> np.ndarray:
        present = {self._index.get(name) for name in features(sentence)}
        present.discard(None)
        return np.array(sorted(present), dtype=np.int32)

    def matrix(self, sentences: Sequence[SentenceContext]) -> sparse.csr_matrix:
        """The sentences' features as a 0/1 matrix over this model's vocabulary."""
        columns = [self._columns(sentence) for sentence in sentences]
        indptr = np.zeros(len(sentences) + 1, dtype=np.int32)
        np.cumsum([len(c) for c in columns], out=indptr[1:])
        indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
        data = np.ones(len(indices), dtype=np.float32)
        shape = (len(sentences), len(self.vocabulary))
        return sparse.csr_matrix((data, indices, indptr), shape=shape)

    def score(self, sentences: Sequence[SentenceContext]) -> list[Scored]:
        """Every sentence scored in one pass."""
        if not sentences:
            return []
        x = self.matrix(sentences)
        seed = _sigmoid(x @ self.seed_weights + self.seed_bias)
        logits = np.asarray(x @ self.label_weights) + self.label_bias
        # The row of each stored entry of `x`, for the per-row work below.
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        logits[self._without_seed_word(x, rows), self.labels.index(Label.NOT_SEED_USE)] = -np.inf
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        confidence = probabilities[np.arange(len(best)), best]
        return [
            Scored(score=score, label=self.labels[label], confidence=sure, drivers=drivers)
            for score, label, sure, drivers in zip(
                np.ravel(seed).tolist(),
                best.tolist(),
                confidence.tolist(),
                self._drivers(x, rows),
                strict=True,
            )
        ]

    def score_paper(self, sentences: Sequence[SentenceContext]) -> PaperScores:
        """The sentences of one paper, in reading order, each scored with the paper's own share
        of seed sentences as its prior (`raised_to_paper`)."""
        scored = self.score(sentences)
        if self.reference_share is None or not scored:
            return PaperScores(scored)
        raised, share = raised_to_paper(
            np.array([s.score for s in scored]),
            np.array([sentence.kind != REFERENCE for sentence in sentences]),
            self.reference_share,
            self.seed_weight,
        )
        return PaperScores(
            [replace(s, score=score) for s, score in zip(scored, raised.tolist(), strict=True)],
            share,
            self.reference_share,
        )

    def _without_seed_word(self, x: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
        """Rows that never say "seed": "not a seed use" is the word in another sense, so a
        sentence about re-runs in other words is one of the five uses."""
        without = np.ones(x.shape[0], dtype=bool)
        column = self._index.get(SEED_WORD_FEATURE)
        if column is not None:
            without[rows[x.indices == column]] = False
        return without

    def _drivers(self, x: sparse.csr_matrix, rows: np.ndarray) -> list[list[str]]:
        """Per row of `x`, the names of its best-ranked drivers."""
        rank_of, names = self._driver_ranking
        ranks = rank_of[x.indices]
        driving = ranks >= 0
        rows, ranks = rows[driving], ranks[driving]
        order = np.lexsort((ranks, rows))
        rows, ranks = rows[order], ranks[order]
        # Position of each driver within its row: keep the first DRIVERS of each.
        first = np.searchsorted(rows, rows)
        keep = np.arange(len(rows)) - first < DRIVERS
        drivers: list[list[str]] = [[] for _ in range(x.shape[0])]
        for row, rank in zip(rows[keep].tolist(), ranks[keep].tolist(), strict=True):
            drivers[row].append(names[rank])
        return drivers

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        share = np.nan if self.reference_share is None else self.reference_share
        np.savez_compressed(
            buffer,
            vocabulary=np.array(self.vocabulary, dtype=str),
            seed_weights=self.seed_weights.astype(np.float32),
            seed_bias=np.float32(self.seed_bias),
            label_weights=self.label_weights.astype(np.float32),
            label_bias=self.label_bias.astype(np.float32),
            labels=np.array(self.labels, dtype=str),
            about=np.array(json.dumps(self.about or {})),
            reference_share=np.float64(share),
            seed_weight=np.float64(self.seed_weight),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SeedUseModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                vocabulary=arrays["vocabulary"].tolist(),
                seed_weights=arrays["seed_weights"],
                seed_bias=float(arrays["seed_bias"]),
                label_weights=arrays["label_weights"],
                label_bias=arrays["label_bias"],
                labels=tuple(arrays["labels"].tolist()),
                about=json.loads(str(arrays["about"])),
                **_paper_prior(arrays),
            )


def _paper_prior(arrays) -> dict:
    if "reference_share" not in arrays or np.isnan(arrays["reference_share"]):
        return {}
    return {
        "reference_share": float(arrays["reference_share"]),
        "seed_weight": float(arrays["seed_weight"]),
    }


def _sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _logit(p):
    return np.log(p / (1.0 - p))


def raised_to_paper(
    scores: np.ndarray, counted: np.ndarray, reference_share: float, seed_weight: float
) -> tuple[np.ndarray, float]:
    """Scores with the paper's own share of seed sentences as their prior, never lowered, and
    that share.

    A sentence's score assumes the share of seed sentences of an average paper, but a paper
    about seed variance is a fifth seed talk: its "non-deterministic approaches" and "score
    distributions" are about seeds where another paper's are not. The paper's share is found as
    the mean of its own prior-adjusted scores, by the EM of Saerens, Latinne and Decaestecker
    (2002), over the `counted` sentences (not its reference list) and on the scale of real
    shares (training weighted seed sentences up by `seed_weight`). A share below the reference
    leaves the scores as they were: a long paper may say everything about its re-runs in one
    section, and lowering its prior would hide that section.
    """
    z = _logit(np.clip(scores, 1e-9, 1 - 1e-9)) - np.log(seed_weight)
    reference = _logit(reference_share)
    shift = 0.0
    share = reference_share
    if counted.any():
        for _ in range(PRIOR_ITERATIONS):
            share = float(np.clip(_sigmoid(z[counted] + shift).mean(), MIN_SHARE, MAX_PAPER_SHARE))
            shift = max(0.0, float(_logit(share)) - reference)
    return _sigmoid(z + shift + np.log(seed_weight)), share


@cache
def shipped() -> SeedUseModel:
    """The model that ships with seedaudit, trained on the shared corpora and written sentences."""
    return SeedUseModel.from_bytes(SHIPPED_PATH.read_bytes())


def suggested_primary(scored: Sequence[Scored]) -> str | None:
    """The paper's main seed use from its highlighted sentences, or None when it has none.

    Each sentence votes for its label with its confidence, weighted by how sure the model is that
    it is a seed sentence at all; the use with the most votes wins unless "not a seed use" has
    more (a paper whose only seeds sample data has no seed use).
    """
    votes = dict.fromkeys(LABELS, 0.0)
    for s in scored:
        votes[s.label] += s.score * s.confidence
    uses = {label: v for label, v in votes.items() if v > 0 and group_of(label) != Group.NONE}
    if not uses or max(uses.values()) < votes[Label.NOT_SEED_USE]:
        return None
    return max(uses, key=uses.__getitem__)
