"""Does what the reports say hold? Simulations of the verdict and of the intervals.

- False winners: both systems' runs drawn from one normal distribution; the share of data sets
  in which the verdict (`audit.stats.verdict`) names a winner. Refusing ("too few runs to tell")
  is not a false winner.
- Power: the second system's runs shifted up by `effect` standard deviations; the share of data
  sets in which the verdict names it the winner.
- Claims (`claim=True`): the same data sets with the second system claimed better before the
  scores were seen, so the verdict tests one-sided; a false winner is then a claim supported
  between runs of one distribution, and power the share of true claims supported. A negative
  `effect` gives the share of claims in the wrong direction that are supported.
- Coverage: how often a "95%" interval holds the true value, for each interval a page shows
  (and, for contrast, the bootstrap intervals of a mean over runs that pages no longer show).
- Runs needed: the verdict's power for a given difference, simulated from pilot runs.

Everything is drawn from one seed, so the same arguments give the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from audit.stats.bootstrap import bootstrap_ci, paired_bootstrap
from audit.stats.classical import mean_interval, welch_t
from audit.stats.inputs import scores_array
from audit.stats.results import Result
from audit.stats.verdict import BETTER, judge_runs

CONFIDENCE = 0.95
RUN_COUNTS = (2, 3, 5, 10, 20)
# Test-set sizes for the paired bootstrap of two models' accuracy; pages refuse fewer than 100.
EXAMPLE_COUNTS = (100, 300)
# Two models' correctness on one test set: accuracies 0.80 and 0.75, their errors correlated as
# two models' errors are (70% of examples equally hard for both).
ACCURACY = (0.80, 0.75)
SHARED_DIFFICULTY = 0.7
# Runs per system that "how many runs do I need" tries.
NEEDED_CANDIDATES = (5, 10, 20, 30, 50)


@dataclass(frozen=True)
class Interval:
    """An interval method and what it estimates: `draw(rng, n)` gives data and the truth."""

    shown: bool
    compute: Callable[[np.random.Generator, int, int], tuple[float, float, float]]
    sizes: Sequence[int]


def false_winner_rate(
    n: int, datasets: int, seed: int, n_bootstrap: int, *, claim: bool = False
) -> float:
    """Share of data sets of two systems with n runs each from one distribution in which the
    verdict names a winner (with `claim`: supports the claim that the second beats the first)."""
    return _winner_rate(n, 0.0, datasets, seed, n_bootstrap, claim=claim)


def power(
    n: int, effect: float, datasets: int, seed: int, n_bootstrap: int, *, claim: bool = False
) -> float:
    """Share of data sets in which the verdict names the system `effect` SDs better (with
    `claim`: supports the claim, made before the scores were seen, that it is better)."""
    return _winner_rate(n, effect, datasets, seed, n_bootstrap, claim=claim)


def _winner_rate(
    n: int, effect: float, datasets: int, seed: int, n_bootstrap: int, *, claim: bool
) -> float:
    # Claims and undirected comparisons see the same data sets, so their figures pair up.
    entropy = [seed, n, round(abs(effect) * 1000)] + ([1] if effect < 0 else [])
    rng = np.random.default_rng(entropy)
    runs = rng.normal(0.0, 1.0, size=(datasets, 2, n))
    runs[:, 1] += effect
    named = 0
    for index, (a, b) in enumerate(runs):
        verdict = judge_runs(
            {"A": a, "B": b},
            n_bootstrap=n_bootstrap,
            seed=index,
            claimed_better="B" if claim else None,
        ).verdicts[0]
        if claim:
            named += bool(verdict.claim_supported)
        else:
            # Under the null either system named is a false winner; with an effect, only B.
            named += verdict.outcome == BETTER and (effect == 0 or verdict.winner == "B")
    return named / datasets


def coverage(method: str, n: int, datasets: int, seed: int, resamples: int) -> float:
    """Share of data sets whose `CONFIDENCE` interval by `method` holds the true value."""
    rng = np.random.default_rng([seed, n, sum(map(ord, method))])
    compute = INTERVALS[method].compute
    held = 0
    for index in range(datasets):
        low, high, truth = compute(rng, n, resamples, index)
        held += low <= truth <= high
    return held / datasets


def _student_t(rng: np.random.Generator, n: int, _: int, __: int) -> tuple[float, float, float]:
    interval = mean_interval(rng.normal(0.0, 1.0, n), CONFIDENCE)
    return interval.low, interval.high, 0.0


def _welch(rng: np.random.Generator, n: int, _: int, __: int) -> tuple[float, float, float]:
    # Unequal spreads, which Welch's interval allows for.
    test = welch_t(rng.normal(0.0, 1.0, n), rng.normal(0.0, 2.0, n), confidence=CONFIDENCE)
    return test.low, test.high, 0.0


def _bootstrap_of_mean(method: str) -> Callable[..., tuple[float, float, float]]:
    def compute(
        rng: np.random.Generator, n: int, resamples: int, index: int
    ) -> tuple[float, float, float]:
        scores = rng.normal(0.0, 1.0, n)
        interval = bootstrap_ci(scores, "mean", resamples, CONFIDENCE, method, seed=index)
        return interval.low, interval.high, 0.0

    return compute


def _accuracy(rng: np.random.Generator, n: int, resamples: int, index: int) -> tuple[float, ...]:
    correct = (rng.random(n) < ACCURACY[0]).astype(float)
    interval = bootstrap_ci(correct, "accuracy", resamples, CONFIDENCE, "bca", seed=index)
    return interval.low, interval.high, ACCURACY[0]


def _paired_accuracy(
    rng: np.random.Generator, n: int, resamples: int, index: int
) -> tuple[float, ...]:
    difficulty = rng.random(n)
    own = np.where(rng.random(n) < SHARED_DIFFICULTY, difficulty, rng.random(n))
    first, second = difficulty < ACCURACY[0], own < ACCURACY[1]
    result = paired_bootstrap(
        first.astype(float),
        second.astype(float),
        "accuracy",
        resamples,
        CONFIDENCE,
        "bca",
        seed=index,
    )
    return result.low, result.high, ACCURACY[0] - ACCURACY[1]


INTERVALS = {
    # Each system's mean over runs, and the difference of two systems' means (compare page, lab).
    "student_t": Interval(True, _student_t, RUN_COUNTS),
    "welch": Interval(True, _welch, RUN_COUNTS),
    # What pages showed for a mean over runs before: listed to show why they no longer do.
    "percentile_bootstrap_mean": Interval(False, _bootstrap_of_mean("percentile"), RUN_COUNTS),
    "bca_bootstrap_mean": Interval(False, _bootstrap_of_mean("bca"), RUN_COUNTS),
    # Per-example scores (compare page, lab's best models), from 100 examples up.
    "bca_bootstrap_accuracy": Interval(True, _accuracy, EXAMPLE_COUNTS),
    "paired_bootstrap_bca": Interval(True, _paired_accuracy, EXAMPLE_COUNTS),
}


@dataclass(frozen=True)
class RunsNeeded(Result):
    """How often the verdict would find a difference of `effect` with n runs of each system,
    simulated at the spread of pilot runs."""

    effect: float
    pooled_sd: float
    power: dict[str, float]
    target: float
    # The fewest candidate runs per system reaching `target`; None if none does.
    needed: int | None


def runs_needed(
    a: Any,
    b: Any,
    *,
    effect: float | None = None,
    target: float = 0.8,
    candidates: Sequence[int] = NEEDED_CANDIDATES,
    datasets: int = 100,
    n_bootstrap: int = 200,
    seed: int = 0,
    claim: bool = False,
) -> RunsNeeded:
    """Power of the verdict, from pilot runs `a` and `b`, to find a difference of `effect`
    (default: the difference of their means) with n runs per system, for each candidate n; with
    `claim`, to support the claim (tested one-sided) that the better system is better.

    Each simulated data set draws n normal runs per system with the pilot runs' pooled standard
    deviation, one system `effect` higher. (Resampling the pilot runs themselves, as deepsig's
    `bootstrap_power_analysis` does, fills the samples with ties drawn from a dozen values, which
    a rank test reads as less evidence than real runs would give.)
    """
    first, second = scores_array(a, "a", min_size=2), scores_array(b, "b", min_size=2)
    deviations = np.concatenate([first - first.mean(), second - second.mean()])
    pooled_sd = float(np.sqrt(np.sum(deviations**2) / (deviations.size - 2)))
    size = abs(float(first.mean() - second.mean())) if effect is None else abs(float(effect))
    rng = np.random.default_rng(seed)
    power = {}
    for n in candidates:
        found = 0
        for index in range(datasets):
            runs = rng.normal(0.0, pooled_sd, size=(2, n))
            runs[1] += size
            verdict = judge_runs(
                {"A": runs[0], "B": runs[1]},
                n_bootstrap=n_bootstrap,
                seed=index,
                claimed_better="B" if claim else None,
            ).verdicts[0]
            found += verdict.winner == "B"
        power[str(n)] = found / datasets
    needed = next((n for n in candidates if power[str(n)] >= target), None)
    return RunsNeeded(size, pooled_sd, power, target, needed)
