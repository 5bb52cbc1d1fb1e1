"""Paired approximate randomization: the permutation test for two systems on one test set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from audit.stats.bootstrap import ALTERNATIVES, Alternative
from audit.stats.estimators import paired
from audit.stats.inputs import choice, resample_count
from audit.stats.resampling import tie_tolerance
from audit.stats.results import Result

if TYPE_CHECKING:
    from audit.stats.resampling import Device


@dataclass(frozen=True)
class PermutationTest(Result):
    statistic: str
    difference: float
    p_value: float
    alternative: str
    n: int
    n_resamples: int


def permutation_test(
    a: Any,
    b: Any,
    statistic: str = "mean",
    n_resamples: int = 10_000,
    alternative: Alternative = "two-sided",
    seed: int | None = None,
    device: Device = "cpu",
) -> PermutationTest:
    """Approximate randomization test of statistic(a) - statistic(b) (Noreen 1989).

    Each resample swaps each example's two scores with probability 1/2. The p-value follows
    `scipy.stats.permutation_test(..., permutation_type="samples")`: (hits + 1) / (resamples + 1),
    and twice the smaller one-sided p-value for "two-sided". `a` and `b` are as in
    `paired_bootstrap`.
    """
    choice(alternative, ALTERNATIVES, "alternative")
    estimator = paired(a, b, statistic)
    null = estimator.permutation(device, seed, resample_count(n_resamples))
    observed = estimator.estimate
    tolerance = tie_tolerance(null, observed)
    greater = (np.sum(null >= observed - tolerance) + 1) / (n_resamples + 1)
    less = (np.sum(null <= observed + tolerance) + 1) / (n_resamples + 1)
    p_values = {"greater": greater, "less": less, "two-sided": min(1.0, 2 * min(greater, less))}
    return PermutationTest(
        statistic=statistic,
        difference=observed,
        p_value=float(p_values[alternative]),
        alternative=alternative,
        n=estimator.n,
        n_resamples=n_resamples,
    )
