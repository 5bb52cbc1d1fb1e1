"""Thin wrappers over scipy's classical tests and the Student t interval, returning
`audit.stats` results.

scipy computes these right; the wrappers fix the orientation ("greater" means a's scores are
higher), pick the exact form where samples are small, and give the report one result type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from audit.stats.bootstrap import ALTERNATIVES, Alternative
from audit.stats.inputs import choice, confidence_level, same_length, scores_array
from audit.stats.results import Result

# Up to this many scores per sample the rank test's p-value is exact: scipy's exact null
# distribution without ties, a permutation test with them (exact enumeration when there are few
# arrangements). Beyond it the tie-corrected normal approximation is accurate and the exact
# distribution would cost time and memory growing with n·m.
EXACT_RANK_LIMIT = 50
RANK_PERMUTATIONS = 9999
# Fixed, so that the same scores always give the same p-value.
RANK_SEED = 2022


@dataclass(frozen=True)
class ClassicalTest(Result):
    test: str
    statistic: float
    p_value: float
    alternative: str
    # How the p-value was computed: "exact", "permutation" or "normal approximation".
    method: str = "exact"


@dataclass(frozen=True)
class MeanInterval(Result):
    """The mean of n scores with its Student t interval, exact for normal scores at any n."""

    estimate: float
    low: float
    high: float
    confidence: float
    n: int
    method: str = "Student t"


@dataclass(frozen=True, kw_only=True)
class WelchTest(ClassicalTest):
    """Welch's t-test with the confidence interval of mean(a) - mean(b)."""

    difference: float
    low: float
    high: float
    confidence: float


def mann_whitney(a: Any, b: Any, alternative: Alternative = "two-sided") -> ClassicalTest:
    """Mann-Whitney U test of two independent samples (e.g. runs of two systems), exact for
    samples of up to `EXACT_RANK_LIMIT` scores (by permutation when scores tie)."""
    choice(alternative, ALTERNATIVES, "alternative")
    first, second = scores_array(a, "a"), scores_array(b, "b")
    if max(first.size, second.size) > EXACT_RANK_LIMIT:
        method, how = "asymptotic", "normal approximation"
    elif np.unique(np.concatenate([first, second])).size < first.size + second.size:
        method = stats.PermutationMethod(n_resamples=RANK_PERMUTATIONS, rng=RANK_SEED)
        how = "permutation"
    else:
        method, how = "exact", "exact"
    result = stats.mannwhitneyu(first, second, alternative=alternative, method=method)
    return ClassicalTest(
        "mann_whitney_u", float(result.statistic), float(result.pvalue), alternative, how
    )


def mean_interval(values: Any, confidence: float = 0.95) -> MeanInterval:
    """The mean of `values` with its Student t interval.

    A bootstrap interval of a mean over a few runs covers far less than it says (percentile and
    BCa: about 50% at n = 2, 73% at 3, 83% at 5 for a "95%" interval of normal scores; see
    `manage.py benchmark calibration`); the t interval covers what it says for normal scores.
    Constant scores give an interval of no width.
    """
    scores = scores_array(values, "values", min_size=2)
    level = confidence_level(confidence)
    n = scores.size
    estimate = float(scores.mean())
    half = float(stats.t.ppf((1 + level) / 2, n - 1) * scores.std(ddof=1) / np.sqrt(n))
    return MeanInterval(estimate, estimate - half, estimate + half, level, n)


def wilcoxon_signed_rank(a: Any, b: Any, alternative: Alternative = "two-sided") -> ClassicalTest:
    """Wilcoxon signed-rank test of paired scores (two systems on the same examples)."""
    choice(alternative, ALTERNATIVES, "alternative")
    first, second = scores_array(a, "a"), scores_array(b, "b")
    same_length(first, second)
    result = stats.wilcoxon(first, second, alternative=alternative)
    differences = first - second
    # scipy's default: exact up to 50 pairs when no difference is zero or tied.
    exact = (
        differences.size <= EXACT_RANK_LIMIT
        and (differences != 0).all()
        and np.unique(np.abs(differences)).size == differences.size
    )
    return ClassicalTest(
        "wilcoxon",
        float(result.statistic),
        float(result.pvalue),
        alternative,
        "exact" if exact else "normal approximation",
    )


def welch_t(
    a: Any, b: Any, alternative: Alternative = "two-sided", confidence: float = 0.95
) -> WelchTest:
    """Welch's unequal-variance t-test of two independent samples."""
    choice(alternative, ALTERNATIVES, "alternative")
    first, second = scores_array(a, "a", min_size=2), scores_array(b, "b", min_size=2)
    result = stats.ttest_ind(first, second, equal_var=False, alternative=alternative)
    interval = result.confidence_interval(confidence_level(confidence))
    return WelchTest(
        test="welch_t",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        alternative=alternative,
        method="Welch-Satterthwaite t",
        difference=float(first.mean() - second.mean()),
        low=float(interval.low),
        high=float(interval.high),
        confidence=confidence,
    )
