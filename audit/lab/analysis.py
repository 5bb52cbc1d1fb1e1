"""What the runs of an experiment show: reruns' bit-identity, a family's spread, the best model.

The functions take stored runs (`audit.lab.models.Run`, or anything with its fields) and return
`audit.stats`-style frozen dataclasses whose `to_dict()` is what experiments keep as summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from audit.lab.models import Experiment
from audit.lab.setups.base import Setup
from audit.stats import ExpectedMax, expected_max
from audit.stats.classical import MeanInterval, mean_interval
from audit.stats.results import Result

CONFIDENCE = 0.95
# Test sets resampled for the best model's distribution (Dror et al. 2018 use 1,000 to 10,000);
# each costs one scoring of a few hundred predictions, vectorized.
BOOTSTRAP_SAMPLES = 1000

Kind = Experiment.Kind


class RunRecord(Protocol):
    index: int
    config: dict[str, Any]
    seed: int
    deterministic: bool
    device: str
    dev_metric: float
    test_metric: float
    test_predictions: list[int]
    test_gold: list[int]
    weights_sha256: str


@dataclass(frozen=True)
class Reruns(Result):
    """Reruns of one configuration in one mode: were they the same model?"""

    deterministic: bool
    runs: int
    distinct_models: int
    bit_identical: bool
    distinct_predictions: int
    lowest: float
    highest: float
    devices: list[str]


@dataclass(frozen=True)
class FixedSeed(Result):
    seed: int
    # Without deterministic algorithms first, then with them; a mode without runs is left out.
    modes: list[Reruns]


@dataclass(frozen=True)
class BestRun(Result):
    index: int
    seed: int
    config: dict[str, Any]
    dev: float
    test: float


@dataclass(frozen=True, eq=False)
class Family(Result):
    """Runs of one setup as a sample: the spread of their test scores, and the best on dev."""

    runs: int
    mean: float
    std: float
    lowest: float
    median: float
    highest: float
    # Student t: a bootstrap interval of a mean over a few runs covers far less than 95%.
    ci: MeanInterval
    best: BestRun
    # Expected best dev score of a search with 1..runs of these configurations (Dodge et al.).
    expected_max_dev: ExpectedMax


@dataclass(frozen=True, eq=False)
class BootstrappedBest(Result):
    """The best run on dev, scored on bootstrap samples of the test set (Dror et al. 2018).

    With `retrained` models (the best configuration trained again with new seeds) each sample
    scores one of them drawn at random, so the scores hold training variance as well.
    """

    best: BestRun
    search_runs: int
    # Test scores of the retrained models; empty when the selected run alone is resampled.
    retrained: list[float]
    samples: int
    scores: np.ndarray
    low: float
    high: float
    confidence: float


def run_scores(runs: Sequence[RunRecord]) -> np.ndarray:
    return np.array([run.test_metric for run in runs], dtype=np.float64)


def fixed_seed(runs: Sequence[RunRecord]) -> FixedSeed:
    modes = []
    for deterministic in (False, True):
        reruns = [run for run in runs if run.deterministic == deterministic]
        if not reruns:
            continue
        scores = run_scores(reruns)
        models = {run.weights_sha256 for run in reruns}
        modes.append(
            Reruns(
                deterministic=deterministic,
                runs=len(reruns),
                distinct_models=len(models),
                bit_identical=len(models) == 1,
                distinct_predictions=len({tuple(run.test_predictions) for run in reruns}),
                lowest=float(scores.min()),
                highest=float(scores.max()),
                devices=sorted({run.device for run in reruns}),
            )
        )
    return FixedSeed(seed=runs[0].seed, modes=modes)


def best_on_dev(runs: Sequence[RunRecord]) -> BestRun:
    """The run with the best dev score; ties go to the earliest, never to the test score."""
    best = max(runs, key=lambda run: (run.dev_metric, -run.index))
    return BestRun(best.index, best.seed, best.config, best.dev_metric, best.test_metric)


def family(runs: Sequence[RunRecord]) -> Family:
    scores = run_scores(runs)
    return Family(
        runs=len(runs),
        mean=float(scores.mean()),
        std=float(scores.std(ddof=1)),
        lowest=float(scores.min()),
        median=float(np.median(scores)),
        highest=float(scores.max()),
        ci=mean_interval(scores, CONFIDENCE),
        best=best_on_dev(runs),
        expected_max_dev=expected_max([run.dev_metric for run in runs]),
    )


def bootstrapped_best(
    setup: Setup,
    runs: Sequence[RunRecord],
    seed: int,
    samples: int = BOOTSTRAP_SAMPLES,
    retrained: Sequence[RunRecord] = (),
) -> BootstrappedBest:
    best = best_on_dev(runs)
    models = list(retrained) or [next(run for run in runs if run.index == best.index)]
    predictions = np.array([model.test_predictions for model in models])
    gold = np.asarray(models[0].test_gold)
    rng = np.random.default_rng(seed)
    rows = rng.integers(len(gold), size=(samples, len(gold)))
    # Drawn after the rows, so that without retraining the samples are what they always were.
    which = rng.integers(len(models), size=(samples, 1))
    # The setup's own metric, which scores a stack of resampled test sets at once.
    resampled = predictions[which, rows]
    scores = np.asarray(setup.metric(resampled, gold[rows]), dtype=np.float64)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(scores, [tail, 1 - tail])
    return BootstrappedBest(
        best=best,
        search_runs=len(runs),
        retrained=[float(model.test_metric) for model in retrained],
        samples=samples,
        scores=scores,
        low=float(low),
        high=float(high),
        confidence=CONFIDENCE,
    )


def correctness(run: RunRecord) -> np.ndarray:
    """Per test example, 1 where the run predicted the gold class: what paired tests resample."""
    return (np.asarray(run.test_predictions) == np.asarray(run.test_gold)).astype(np.float64)


def summarize(
    kind: str,
    setup: Setup,
    runs: Sequence[RunRecord],
    seed: int,
    retrained: Sequence[RunRecord] = (),
) -> dict[str, Any]:
    """The summary an experiment keeps: `runs` are its own, or for a bootstrap_best of a claim
    those of the search it resamples; `retrained`, a bootstrap_best's retrained best models."""
    if kind == Kind.FIXED_SEED:
        return fixed_seed(runs).to_dict()
    if kind == Kind.BOOTSTRAP_BEST:
        return bootstrapped_best(setup, runs, seed, retrained=retrained).to_dict()
    return family(runs).to_dict()
