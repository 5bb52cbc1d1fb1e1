"""Holm-Bonferroni correction for several comparisons (Holm 1979)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from audit.stats.inputs import StatsInputError
from audit.stats.results import Result


@dataclass(frozen=True)
class HolmResult(Result):
    """Adjusted p-values, in the order given, and which comparisons are rejected at `alpha`."""

    adjusted: list[float]
    reject: list[bool]
    alpha: float


def holm_bonferroni(p_values: Any, alpha: float = 0.05) -> HolmResult:
    """Step-down Holm adjustment: the i-th smallest p-value is multiplied by (m - i + 1) and the
    adjusted values are kept non-decreasing, which controls the family-wise error rate."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or ((p < 0) | (p > 1)).any():
        raise StatsInputError("p-values must be a non-empty list of numbers in [0, 1]")
    order = np.argsort(p)
    stepped = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return HolmResult(adjusted=adjusted.tolist(), reject=(adjusted <= alpha).tolist(), alpha=alpha)
