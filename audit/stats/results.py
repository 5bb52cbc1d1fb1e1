"""What every result of `audit.stats` shares: a `to_dict()` ready for `json.dumps`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    """Plain values for JSON: lists for arrays and tuples, Python numbers for NumPy scalars, and
    None for NaN, which JSON cannot write."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class Result:
    """Base of the frozen dataclasses that `audit.stats` returns."""

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))
