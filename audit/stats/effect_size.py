"""Effect size of two independent samples: Vargha-Delaney A and Cliff's delta."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

from audit.stats.inputs import scores_array
from audit.stats.results import Result

# Romano et al. (2006): |delta| below 0.147 is negligible, below 0.33 small, below 0.474 medium.
MAGNITUDES = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"))


@dataclass(frozen=True)
class EffectSize(Result):
    # P(a > b) + P(a = b) / 2 for a score drawn from each system.
    vargha_delaney_a: float
    # P(a > b) - P(a < b) = 2A - 1.
    cliffs_delta: float
    magnitude: str


def effect_size(a: Any, b: Any) -> EffectSize:
    """How often a's scores beat b's, from ranks in O((n+m) log(n+m)) rather than all pairs."""
    first, second = scores_array(a, "a"), scores_array(b, "b")
    n, m = first.size, second.size
    ranks = rankdata(np.concatenate([first, second]))  # ties share their mid-rank
    wins = ranks[:n].sum() - n * (n + 1) / 2  # Mann-Whitney U of a: wins, ties counting half
    a12 = float(wins / (n * m))
    delta = 2 * a12 - 1
    magnitude = next((label for bound, label in MAGNITUDES if abs(delta) < bound), "large")
    return EffectSize(vargha_delaney_a=a12, cliffs_delta=delta, magnitude=magnitude)
