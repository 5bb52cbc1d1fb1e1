"""Bootstrap confidence intervals for one system, and the paired bootstrap for two.

The paired bootstrap resamples examples, each carrying both systems' scores, as Dror et al. (2018)
and Berg-Kirkpatrick et al. (2012) describe. (deepsig's `bootstrap_test` resamples the two systems
separately although it calls itself paired, which throws the pairing away.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.special import ndtr, ndtri

from audit.stats.estimators import Estimator, one_sample, paired
from audit.stats.inputs import choice, confidence_level, resample_count
from audit.stats.resampling import tie_tolerance
from audit.stats.results import Result

if TYPE_CHECKING:
    from audit.stats.resampling import Device

Method = Literal["percentile", "bca"]
Alternative = Literal["two-sided", "greater", "less"]
METHODS = ("percentile", "bca")
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class BootstrapCI(Result):
    """A statistic of one system's scores with its bootstrap confidence interval."""

    statistic: str
    estimate: float
    low: float
    high: float
    confidence: float
    method: str
    standard_error: float
    n: int
    n_resamples: int


@dataclass(frozen=True)
class PairedBootstrap(Result):
    """statistic(a) - statistic(b) on the same examples, its interval and bootstrap p-value."""

    statistic: str
    difference: float
    low: float
    high: float
    p_value: float
    alternative: str
    confidence: float
    method: str
    n: int
    n_resamples: int


def bootstrap_ci(
    values: Any,
    statistic: str = "mean",
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    method: Method = "percentile",
    seed: int | None = None,
    device: Device = "cpu",
) -> BootstrapCI:
    """Bootstrap confidence interval of `statistic` over `values`.

    `statistic` is "mean" or "median" of scores, "accuracy" of 0/1 correctness, or "macro_f1" of
    (gold, predicted) label pairs, shape (n, 2). `method` is "percentile" or "bca" (bias-corrected
    and accelerated, Efron 1987); BCa's acceleration comes from the closed-form jackknife of the
    statistic, so it costs no more than the percentile interval. Intervals follow
    `scipy.stats.bootstrap`'s conventions and match it within Monte-Carlo error.
    """
    estimator = one_sample(values, statistic)
    replicates, low, high = _interval(estimator, n_resamples, confidence, method, seed, device)
    return BootstrapCI(
        statistic=statistic,
        estimate=estimator.estimate,
        low=low,
        high=high,
        confidence=confidence,
        method=method,
        standard_error=float(np.std(replicates, ddof=1)),
        n=estimator.n,
        n_resamples=n_resamples,
    )


def paired_bootstrap(
    a: Any,
    b: Any,
    statistic: str = "mean",
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    method: Method = "percentile",
    alternative: Alternative = "two-sided",
    seed: int | None = None,
    device: Device = "cpu",
) -> PairedBootstrap:
    """Paired bootstrap of statistic(a) - statistic(b) for two systems on the same test set.

    `a` and `b` are per-example scores ("mean"), 0/1 correctness ("accuracy") or (gold, predicted)
    pairs with the same gold labels ("macro_f1"). The p-value tests "no difference" against
    `alternative` ("greater": a is better) by the shift method: the share of resampled differences
    at least as far from the observed one, in the alternative's direction, as the observed one is
    from zero.
    """
    choice(alternative, ALTERNATIVES, "alternative")
    estimator = paired(a, b, statistic)
    replicates, low, high = _interval(estimator, n_resamples, confidence, method, seed, device)
    difference = estimator.estimate
    shifted = replicates - difference
    tolerance = tie_tolerance(replicates, difference)
    if alternative == "greater":
        beyond = shifted >= difference - tolerance
    elif alternative == "less":
        beyond = shifted <= difference + tolerance
    else:
        beyond = np.abs(shifted) >= abs(difference) - tolerance
    return PairedBootstrap(
        statistic=statistic,
        difference=difference,
        low=low,
        high=high,
        p_value=float(beyond.mean()),
        alternative=alternative,
        confidence=confidence,
        method=method,
        n=estimator.n,
        n_resamples=n_resamples,
    )


def _interval(
    estimator: Estimator,
    n_resamples: int,
    confidence: float,
    method: str,
    seed: int | None,
    device: Device,
) -> tuple[np.ndarray, float, float]:
    choice(method, METHODS, "method")
    tail = (1 - confidence_level(confidence)) / 2
    replicates = estimator.bootstrap(device, seed, resample_count(n_resamples))
    levels = np.array([tail, 1 - tail])
    if method == "bca":
        levels = _bca_levels(estimator, replicates, levels)
    low, high = np.quantile(replicates, levels)
    return replicates, float(low), float(high)


def _bca_levels(estimator: Estimator, replicates: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Percentile levels moved by BCa's bias correction z0 and acceleration a."""
    estimate = estimator.estimate
    # Mid-rank, as scipy does: statistics of discrete data tie with the estimate a lot. Ties
    # within rounding count as ties, or constant scores (every replicate the estimate, give or
    # take an ulp) would put all replicates on one side and the bias correction at infinity.
    tolerance = tie_tolerance(replicates, estimate)
    below = (
        (replicates < estimate - tolerance).mean() + (replicates <= estimate + tolerance).mean()
    ) / 2
    bias = ndtri(below)
    z = ndtri(levels)
    acceleration = _acceleration(*estimator.jackknife())
    return ndtr(bias + (bias + z) / (1 - acceleration * (bias + z)))


def _acceleration(values: np.ndarray, weights: np.ndarray) -> float:
    """BCa's acceleration from jackknife values, each standing for `weights` items."""
    deviation = np.average(values, weights=weights) - values
    spread = float(np.sum(weights * deviation**2))
    if spread == 0:
        return 0.0
    return float(np.sum(weights * deviation**3) / (6 * spread**1.5))
