"""Inter-annotator agreement: Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha.

Every statistic is a closed form over counts, written for arrays with leading batch dimensions,
so a bootstrap evaluates all its resamples in one array operation (through the resampling engine
of `audit.stats`). Items are resampled: they are the units annotators agree or disagree on.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from audit.stats.resampling import draw_replicates
from audit.taxonomy import Group, group_of

MISSING = -1
GROUPS = (Group.SAFE.value, Group.RISKY.value, Group.NONE.value)
# Above this share of undefined resamples no interval is shown. The rest are resamples that still
# hold two labels or more, so their quantiles describe a conditional distribution; when it leaves
# out a twentieth of the resamples or less its 2.5% and 97.5% quantiles stay near the whole one's.
MAX_UNDEFINED_SHARE = 0.05


@dataclass(frozen=True)
class Ratings:
    """Who gave which item which category: codes[item, annotator], MISSING where unlabelled."""

    categories: tuple[str, ...]
    annotators: tuple[str, ...]
    codes: np.ndarray

    def collapsed(self) -> Ratings:
        """The same ratings on the safe / risky / not-a-seed-use view."""
        to_group = np.array([GROUPS.index(group_of(label).value) for label in self.categories])
        codes = np.where(self.codes == MISSING, MISSING, to_group[np.maximum(self.codes, 0)])
        return Ratings(GROUPS, self.annotators, codes)

    def counts(self) -> np.ndarray:
        """(items, categories): how many annotators gave each item each category."""
        k = len(self.categories)
        rated = self.codes != MISSING
        rows = np.repeat(np.arange(len(self.codes)), rated.sum(1))
        counts = np.zeros((len(self.codes), k))
        np.add.at(counts, (rows, self.codes[rated]), 1)
        return counts


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    # Resamples in which the statistic is undefined: every resampled sentence has one label.
    undefined: int = 0
    resamples: int = 0

    @property
    def note(self) -> str | None:
        """What the interval leaves out or why there is none; None when nothing is left out."""
        if self.value is None or not self.undefined:
            return None
        share = f"{self.undefined} of {self.resamples} resamples"
        if self.low is None:
            return (
                f"no interval: in {share} every sentence has one label, so the figure is "
                f"undefined there (more than {MAX_UNDEFINED_SHARE:.0%})"
            )
        return (
            f"{share} are left out of the interval: every sentence in them has one label, so "
            "the figure is undefined there"
        )


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    items: int


@dataclass(frozen=True)
class AgreementRow:
    category: str | None  # None: over all categories
    fleiss: Estimate
    alpha: Estimate
    cohen: list[Estimate]  # one per pair, in the order of Agreement.pairs


@dataclass(frozen=True)
class Agreement:
    categories: tuple[str, ...]
    items: int  # items with at least two labels: the ones agreement is measured on
    pairs: list[Pair]
    rows: list[AgreementRow]
    # pair_counts[c, k], c <= k: how often two annotators gave one sentence c and k.
    pair_counts: np.ndarray

    def interval_notes(self) -> list[tuple[str | None, str, str]]:
        """(category, figure, note) for every interval that leaves resamples out or is withheld."""
        notes = []
        for row in self.rows:
            figures = [("Fleiss' κ", row.fleiss), ("Krippendorff's α", row.alpha)] + [
                (f"Cohen's κ {pair.first}–{pair.second}", kappa)
                for pair, kappa in zip(self.pairs, row.cohen, strict=True)
            ]
            notes += [(row.category, name, e.note) for name, e in figures if e.note]
        return notes


def fleiss_kappa(counts: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of (..., items, categories) counts; every item needs two ratings or more.

    With the same number of raters per item this is Fleiss (1971); with different numbers each
    item's agreement is over its own pairs of raters, as in Fleiss, Levin and Paik (2003).
    """
    raters = counts.sum(-1)
    per_item = ((counts**2).sum(-1) - raters) / (raters * (raters - 1))
    shares = counts.sum(-2) / raters.sum(-1, keepdims=True)
    expected = (shares**2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (per_item.mean(-1) - expected) / (1 - expected)


def krippendorff_alpha(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha (nominal) of (..., items, categories) counts, two ratings or more each.

    1 - (n - 1) * sum of the coincidence matrix off its diagonal / sum over c != k of n_c n_k
    (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").
    """
    raters = counts.sum(-1)
    total = raters.sum(-1)
    observed = ((raters**2 - (counts**2).sum(-1)) / (raters - 1)).sum(-1)
    per_category = counts.sum(-2)
    expected = total**2 - (per_category**2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 - (total - 1) * observed / expected


def cohen_kappa(confusion: np.ndarray) -> np.ndarray:
    """Cohen's kappa of (..., k, k) confusion counts between two annotators."""
    total = confusion.sum((-2, -1))
    observed = np.trace(confusion, axis1=-2, axis2=-1) / total
    expected = (confusion.sum(-1) * confusion.sum(-2)).sum(-1) / total**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - expected) / (1 - expected)


def confusions(joint: np.ndarray, k: int) -> np.ndarray:
    """(..., k, k) confusion counts from (..., items) codes first * k + second of two annotators."""
    batch = joint.reshape(-1, joint.shape[-1])
    offsets = np.arange(len(batch))[:, None] * k * k
    counts = np.bincount((batch + offsets).ravel(), minlength=len(batch) * k * k)
    return counts.reshape(*joint.shape[:-1], k, k).astype(float)


def cached_agreement(ratings: Ratings, n_resamples: int, seed: int) -> Agreement:
    """`agreement`, computed once per distinct set of labels: the bootstrap takes seconds on a
    large project, and the project page is read far more often than labels change."""
    fingerprint = hashlib.sha256(ratings.codes.tobytes())
    fingerprint.update(repr((ratings.categories, ratings.annotators, n_resamples, seed)).encode())
    # The version tells apart figures cached before intervals counted their undefined resamples.
    key = f"annotator:agreement:v2:{fingerprint.hexdigest()}"
    return cache.get_or_set(key, lambda: agreement(ratings, n_resamples, seed), timeout=86_400)


def agreement(ratings: Ratings, n_resamples: int = 1000, seed: int = 0) -> Agreement:
    """Every figure of the project page, overall and per category, with 95% bootstrap CIs."""
    k = len(ratings.categories)
    pairable = (ratings.codes != MISSING).sum(1) >= 2
    codes = ratings.codes[pairable]
    counts = Ratings(ratings.categories, ratings.annotators, codes).counts()
    pairs, pair_codes = [], []
    for a, b in itertools.combinations(range(len(ratings.annotators)), 2):
        both = (codes[:, a] != MISSING) & (codes[:, b] != MISSING)
        if both.any():
            pairs.append(Pair(ratings.annotators[a], ratings.annotators[b], int(both.sum())))
            pair_codes.append((codes[both, a], codes[both, b]))

    def row(category: int | None) -> AgreementRow:
        if category is None:
            view, size = counts, k
        else:
            view = np.stack([counts[:, category], counts.sum(1) - counts[:, category]], axis=1)
            size = 2
        cohen = []
        for first, second in pair_codes:
            if category is not None:
                first, second = (first != category).astype(int), (second != category).astype(int)
            joint = first * size + second
            cohen.append(_estimate(_of_pairs(size), joint, n_resamples, seed))
        return AgreementRow(
            category=None if category is None else ratings.categories[category],
            fleiss=_estimate(fleiss_kappa, view, n_resamples, seed),
            alpha=_estimate(krippendorff_alpha, view, n_resamples, seed),
            cohen=cohen,
        )

    return Agreement(
        categories=ratings.categories,
        items=len(codes),
        pairs=pairs,
        rows=[row(None)] + [row(c) for c in range(k)],
        pair_counts=_pair_counts(counts),
    )


def _of_pairs(k: int) -> Callable:
    """Cohen's kappa of (..., items) joint codes, as `_estimate` gathers them."""
    return lambda joint: cohen_kappa(confusions(joint, k))


def _estimate(statistic: Callable, per_item: np.ndarray, n_resamples: int, seed: int) -> Estimate:
    """`statistic` of the items' rows, and its 95% percentile bootstrap interval over items.

    The interval is over the resamples where the statistic is defined, and is withheld when more
    than `MAX_UNDEFINED_SHARE` of them are not; the estimate counts them either way.
    """
    if len(per_item) == 0:
        return Estimate(None, None, None)
    value = float(statistic(per_item))
    if np.isnan(value):
        return Estimate(None, None, None)
    n = len(per_item)

    def kernel(backend):
        data = backend.asarray(per_item)
        return lambda rows: statistic(data[backend.indices(rows, n)])

    replicates = draw_replicates("cpu", seed, n_resamples, per_item.size, kernel)
    defined = replicates[~np.isnan(replicates)]
    undefined = n_resamples - len(defined)
    if undefined > MAX_UNDEFINED_SHARE * n_resamples:
        return Estimate(value, None, None, undefined, n_resamples)
    low, high = np.quantile(defined, [0.025, 0.975])
    return Estimate(value, float(low), float(high), undefined, n_resamples)


def _pair_counts(counts: np.ndarray) -> np.ndarray:
    """Unordered pairs of annotators' labels on one item, in the upper triangle (c <= k)."""
    ordered = np.einsum("ic,ik->ck", counts, counts) - np.diag(counts.sum(0))
    return np.triu(ordered) - np.diag(np.diag(ordered)) / 2
