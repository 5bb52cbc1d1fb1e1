"""Expected maximum validation performance as a function of budget (Dodge et al. 2019).

Given the validation scores of N random-search trials, the best of n trials drawn from them has
an exact distribution: sort the scores v₁ ≤ … ≤ v_N; drawing with replacement (Dodge et al.),
P(max ≤ vᵢ) = (i/N)ⁿ; drawing without (allentune), P(max ≤ vᵢ) = C(i, n) / C(N, n).

Dodge et al. select on dev and report test: with `select_by` (each trial's dev score), the same
weights fall on the trials in dev order and average their test scores, which is the expected test
score of the trial a search of n trials would pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaln

from audit.stats.inputs import StatsInputError, same_length, scores_array
from audit.stats.results import Result

# Budgets are worked out a block at a time, so that memory grows with the number of trials,
# not with trials × budgets (91,660 trials at every budget would be 8.4e9 numbers).
BLOCK_ELEMENTS = 1 << 22


@dataclass(frozen=True, eq=False)
class ExpectedMax(Result):
    """Mean, variance and standard deviation of the best score among `budgets[j]` trials.

    show-your-work's code returns the standard deviation under the name "var"; here each has its
    own name.
    """

    budgets: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    std: np.ndarray
    with_replacement: bool


def expected_max(
    scores: Any, budgets: Any = None, with_replacement: bool = True, select_by: Any = None
) -> ExpectedMax:
    """Expected maximum of `scores` over n = 1..N trials (or the given `budgets`), exactly; with
    `select_by`, the expected score of the trial with the best `select_by` among n."""
    values = scores_array(scores, "scores")
    if select_by is None:
        values = np.sort(values)
    else:
        selector = scores_array(select_by, "select_by")
        same_length(values, selector)
        order = np.argsort(selector, kind="stable")
        values, selector = values[order], selector[order]
        # Trials tied on dev are picked alike: each stands for their mean score.
        _, group, counts = np.unique(selector, return_inverse=True, return_counts=True)
        values = (np.bincount(group, weights=values) / counts)[group]
    size = values.size
    budget = np.arange(1, size + 1) if budgets is None else np.asarray(budgets, dtype=np.int64)
    if budget.ndim != 1 or budget.size == 0 or (budget < 1).any():
        raise StatsInputError("budgets must be a list of positive whole numbers")
    if not with_replacement and (budget > size).any():
        raise StatsInputError(f"without replacement a budget can be at most {size}, the trials")
    rows = max(1, BLOCK_ELEMENTS // (size + 1))
    moments = [
        _moments(values, budget[start : start + rows], with_replacement)
        for start in range(0, budget.size, rows)
    ]
    mean = np.concatenate([m for m, _ in moments])
    variance = np.concatenate([v for _, v in moments])
    return ExpectedMax(
        budgets=budget,
        mean=mean,
        variance=variance,
        std=np.sqrt(variance),
        with_replacement=with_replacement,
    )


def _moments(
    values: np.ndarray, budget: np.ndarray, with_replacement: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the picked trial's score for each budget, trials in pick order."""
    size = values.size
    ranks = np.arange(size + 1)[None, :]
    n = budget[:, None]
    if with_replacement:
        at_most = (ranks / size) ** n
    else:
        # C(i, n) / C(N, n) in log space: the binomials overflow float64 from N of about 1030.
        possible = ranks >= n
        log_ratio = (
            gammaln(ranks + 1)
            - gammaln(np.where(possible, ranks - n, 0) + 1)
            - gammaln(size + 1)
            + gammaln(size - n + 1)
        )
        at_most = np.where(possible, np.exp(log_ratio), 0.0)
    probability = np.diff(at_most, axis=1)
    mean = probability @ values
    variance = np.sum(probability * (values[None, :] - mean[:, None]) ** 2, axis=1)
    return mean, variance
