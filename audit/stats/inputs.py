"""Checks on the scores handed to `audit.stats`, so that bad input fails early with a message
that can be shown to the person who pasted it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np


class StatsInputError(ValueError):
    """Scores or options the statistics cannot be computed from; the message says why."""


def choice(value: str, allowed: Collection[str], name: str) -> str:
    if value not in allowed:
        raise StatsInputError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def confidence_level(value: float) -> float:
    if not 0 < value < 1:
        raise StatsInputError(f"confidence must be strictly between 0 and 1; got {value}")
    return float(value)


def resample_count(value: int, name: str = "n_resamples") -> int:
    if int(value) != value or value < 1:
        raise StatsInputError(f"{name} must be a positive whole number; got {value}")
    return int(value)


def scores_array(values: Any, name: str, min_size: int = 1) -> np.ndarray:
    """`values` as a 1-D float64 array of at least `min_size` finite numbers."""
    try:
        scores = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError(f"{name} must be numbers: {error}") from error
    if scores.ndim != 1:
        raise StatsInputError(f"{name} must be a flat list of numbers; got shape {scores.shape}")
    if scores.size < min_size:
        raise StatsInputError(f"{name} needs at least {min_size} scores; got {scores.size}")
    if not np.isfinite(scores).all():
        raise StatsInputError(f"{name} contains NaN or infinite scores")
    return scores


def correctness_array(values: Any, name: str, min_size: int = 1) -> np.ndarray:
    """Per-example correctness (0/1 or booleans) as a float64 array of zeros and ones."""
    correct = scores_array(values, name, min_size)
    if not np.isin(correct, (0.0, 1.0)).all():
        raise StatsInputError(f"{name} must hold 0/1 correctness for accuracy")
    return correct


def label_pairs(values: Any, name: str, min_size: int = 1) -> np.ndarray:
    """Per-example (gold, predicted) label pairs as an (n, 2) array; labels may be any type."""
    pairs = np.asarray(values)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise StatsInputError(f"{name} must be (gold, predicted) pairs; got shape {pairs.shape}")
    if pairs.shape[0] < min_size:
        raise StatsInputError(f"{name} needs at least {min_size} examples; got {pairs.shape[0]}")
    return pairs


def same_length(a: np.ndarray, b: np.ndarray) -> None:
    if len(a) != len(b):
        raise StatsInputError(
            f"paired scores must cover the same examples; got {len(a)} and {len(b)}"
        )
