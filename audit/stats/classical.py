"""Thin wrappers over scipy's classical tests, returning `audit.stats` results.

scipy computes these right; the wrappers fix the orientation ("greater" means a's scores are
higher) and give the report one result type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scipy import stats

from audit.stats.bootstrap import ALTERNATIVES, Alternative
from audit.stats.inputs import choice, confidence_level, same_length, scores_array
from audit.stats.results import Result


@dataclass(frozen=True)
class ClassicalTest(Result):
    test: str
    statistic: float
    p_value: float
    alternative: str


@dataclass(frozen=True)
class WelchTest(ClassicalTest):
    """Welch's t-test with the confidence interval of mean(a) - mean(b)."""

    difference: float
    low: float
    high: float
    confidence: float


def mann_whitney(a: Any, b: Any, alternative: Alternative = "two-sided") -> ClassicalTest:
    """Mann-Whitney U test of two independent samples (e.g. runs of two systems)."""
    choice(alternative, ALTERNATIVES, "alternative")
    first, second = scores_array(a, "a"), scores_array(b, "b")
    result = stats.mannwhitneyu(first, second, alternative=alternative)
    return ClassicalTest(
        "mann_whitney_u", float(result.statistic), float(result.pvalue), alternative
    )


def wilcoxon_signed_rank(a: Any, b: Any, alternative: Alternative = "two-sided") -> ClassicalTest:
    """Wilcoxon signed-rank test of paired scores (two systems on the same examples)."""
    choice(alternative, ALTERNATIVES, "alternative")
    first, second = scores_array(a, "a"), scores_array(b, "b")
    same_length(first, second)
    result = stats.wilcoxon(first, second, alternative=alternative)
    return ClassicalTest("wilcoxon", float(result.statistic), float(result.pvalue), alternative)


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
        difference=float(first.mean() - second.mean()),
        low=float(interval.low),
        high=float(interval.high),
        confidence=confidence,
    )
