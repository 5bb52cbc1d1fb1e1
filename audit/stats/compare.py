"""Every figure a comparison report of two systems needs, from their scores, in one call.

Two kinds of scores, as Bethard (2022) distinguishes them:
- per-run scores (one per training run: per seed, or per hyperparameter configuration): two
  independent samples, compared as distributions (ASO, Mann-Whitney, Welch, effect size) and by
  expected maximum performance per budget;
- per-example scores of two fixed models on the same test set: paired, compared with the paired
  bootstrap of the test set (Dror et al. 2018) and the permutation test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from audit.stats.aso import ASOResult
from audit.stats.bootstrap import PairedBootstrap, bootstrap_ci, paired_bootstrap
from audit.stats.classical import (
    ClassicalTest,
    WelchTest,
    mean_interval,
    welch_t,
    wilcoxon_signed_rank,
)
from audit.stats.effect_size import EffectSize, effect_size
from audit.stats.estimators import PAIRED_STATISTICS
from audit.stats.expected_max import ExpectedMax, expected_max
from audit.stats.inputs import StatsInputError, choice
from audit.stats.permutation import PermutationTest, permutation_test
from audit.stats.results import Result
from audit.stats.verdict import (
    PairVerdict,
    RunPair,
    example_pair,
    judge,
    judge_runs,
)

if TYPE_CHECKING:
    from audit.stats.resampling import Device

Unit = Literal["run", "example"]
UNITS = ("run", "example")
# Expected maximum is worked out at every budget up to this, and at log-spaced ones beyond.
EVERY_BUDGET_UP_TO = 100
LOG_BUDGETS = 60
# The paired bootstrap interval of two models' accuracy difference covers 0.95 from here (see
# `audit.stats.calibration`); with 30 examples about 0.87.
MIN_EXAMPLES = 100

SEED_ONLY_WARNING = (
    "Only the random seed varied between these runs, so each system is one configuration and "
    "their spread is seed sensitivity. This compares those two configurations, not the model "
    "families, and the best seed is not a fair estimate of either (Bethard 2022). Compare runs "
    "sampled over all hyperparameters, or the best models on bootstrap samples of the test set."
)


@dataclass(frozen=True)
class SystemSummary(Result):
    """One system's scores: the statistic with its interval (Student t for a mean over runs,
    BCa bootstrap over examples: `interval_method`), and their spread (None for label pairs,
    which have no spread)."""

    name: str
    n: int
    statistic: str
    estimate: float
    low: float
    high: float
    interval_method: str
    std: float | None
    minimum: float | None
    median: float | None
    maximum: float | None


@dataclass(frozen=True, eq=False)
class Comparison(Result):
    """Two systems compared; the fields for the other unit are None."""

    unit: str
    seed_only: bool
    statistic: str
    confidence: float
    systems: tuple[SystemSummary, SystemSummary]
    # statistic(first) - statistic(second)
    difference: float
    verdict: str
    # The verdict's rules applied (`audit.stats.verdict`): outcome, winner, adjusted p-value.
    judgement: PairVerdict
    warnings: list[str] = field(default_factory=list)
    # per-run scores
    tests: RunPair | None = None
    aso: ASOResult | None = None
    aso_reverse: ASOResult | None = None
    welch: WelchTest | None = None
    mann_whitney: ClassicalTest | None = None
    effect_size: EffectSize | None = None
    expected_max: tuple[ExpectedMax, ExpectedMax] | None = None
    # per-example scores
    paired_bootstrap: PairedBootstrap | None = None
    permutation: PermutationTest | None = None
    # The one-sided permutation test of a claim (`claimed_better`), None without one.
    claim_permutation: PermutationTest | None = None
    wilcoxon: ClassicalTest | None = None


def compare_systems(
    a: Any,
    b: Any,
    *,
    unit: Unit,
    seed_only: bool | tuple[bool, bool] = False,
    statistic: str = "mean",
    names: tuple[str, str] = ("A", "B"),
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    device: Device = "cpu",
    dev: tuple[Any, Any] | None = None,
    claimed_better: str | None = None,
) -> Comparison:
    """Compare system `a` with system `b` (named `names`).

    `unit="run"`: `a` and `b` are per-run scores (any lengths); `seed_only` says whether only the
    random seed varied between runs (of both systems, or of each), which the verdict and
    warnings then say. `unit="example"`:
    per-example scores of the same test examples, with `statistic` "mean", "accuracy" (0/1
    correctness) or "macro_f1" ((gold, predicted) pairs). `n_bootstrap` is ASO's. `dev`, each
    run's dev score, makes expected maximum select on dev and report test (Dodge et al. 2019);
    without it, expected maximum is the best of n on the scores given. `claimed_better`, one of
    `names`, is the system claimed (before the scores were seen) to beat the other: the verdict
    then tests that claim one-sided (`audit.stats.verdict`).
    """
    choice(unit, UNITS, "unit")
    if claimed_better is not None:
        choice(claimed_better, names, "claimed_better")
    # One independent seed per resampling function, all fixed by `seed`.
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(6)]
    options = {"confidence": confidence, "device": device}
    if unit == "run":
        if statistic != "mean":
            raise StatsInputError("per-run scores are compared by their mean")
        return _compare_runs(
            a, b, seed_only, names, dev, n_bootstrap, seeds, options, claimed_better
        )
    if seed_only:
        raise StatsInputError("seed_only describes per-run scores, not per-example ones")
    choice(statistic, PAIRED_STATISTICS, "statistic")
    return _compare_examples(a, b, statistic, names, n_resamples, seeds, options, claimed_better)


def _compare_runs(
    a: Any,
    b: Any,
    seed_only: bool | tuple[bool, bool],
    names: tuple[str, str],
    dev: tuple[Any, Any] | None,
    n_bootstrap: int,
    seeds: list[int],
    options: dict[str, Any],
    claimed_better: str | None,
) -> Comparison:
    confidence = options["confidence"]
    systems = (
        _run_summary(names[0], a, confidence),
        _run_summary(names[1], b, confidence),
    )
    each = (seed_only, seed_only) if isinstance(seed_only, bool) else tuple(seed_only)
    judged = judge_runs(
        {names[0]: a, names[1]: b},
        seed_only=dict(zip(names, each, strict=True)),
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        seed=seeds[2],
        claimed_better=claimed_better,
    )
    pair, judgement = judged.pairs[0], judged.verdicts[0]
    runs = f"{systems[0].n:,} runs of {names[0]} with {systems[1].n:,} runs of {names[1]}"
    if all(each):
        runs += " that vary only the random seed"
    warnings = [SEED_ONLY_WARNING] if all(each) else []
    return Comparison(
        unit="run",
        seed_only=all(each),
        statistic="mean",
        confidence=confidence,
        systems=systems,
        difference=systems[0].estimate - systems[1].estimate,
        verdict=f"Compared {runs}: {judgement.text}.",
        judgement=judgement,
        warnings=warnings,
        tests=pair,
        aso=pair.aso,
        aso_reverse=pair.aso_reverse,
        welch=welch_t(a, b, confidence=confidence),
        mann_whitney=pair.rank,
        effect_size=effect_size(a, b),
        expected_max=(
            expected_max(a, expectation_budgets(len(a)), select_by=None if dev is None else dev[0]),
            expected_max(b, expectation_budgets(len(b)), select_by=None if dev is None else dev[1]),
        ),
    )


def _compare_examples(
    a: Any,
    b: Any,
    statistic: str,
    names: tuple[str, str],
    n_resamples: int,
    seeds: list[int],
    options: dict[str, Any],
    claimed_better: str | None,
) -> Comparison:
    systems = (
        _summary(names[0], a, statistic, n_resamples, seeds[0], options),
        _summary(names[1], b, statistic, n_resamples, seeds[1], options),
    )
    if systems[0].n < MIN_EXAMPLES:
        raise StatsInputError(
            f"There are {systems[0].n} examples; comparing two models example by example needs "
            f"at least {MIN_EXAMPLES}: with fewer, a 95% bootstrap interval of their difference "
            "covers far less than 95%. Compare per-run scores instead, or score more examples."
        )
    bootstrap = paired_bootstrap(
        a, b, statistic, n_resamples, method="bca", seed=seeds[4], **options
    )
    permutation = permutation_test(
        a, b, statistic, n_resamples, seed=seeds[5], device=options["device"]
    )
    claim = None
    if claimed_better is not None:
        # The same seed draws the same swaps: the one-sided test of the two-sided one's resamples.
        claim = permutation_test(
            a,
            b,
            statistic,
            n_resamples,
            "greater" if claimed_better == names[0] else "less",
            seed=seeds[5],
            device=options["device"],
        )
    (judgement,) = judge([example_pair(*names, bootstrap, permutation, claim)])
    return Comparison(
        unit="example",
        seed_only=False,
        statistic=statistic,
        confidence=options["confidence"],
        systems=systems,
        difference=bootstrap.difference,
        verdict=(
            f"Compared {names[0]} with {names[1]} by {statistic} on the same "
            f"{bootstrap.n} test examples: {judgement.text}."
        ),
        judgement=judgement,
        paired_bootstrap=bootstrap,
        permutation=permutation,
        claim_permutation=claim,
        wilcoxon=wilcoxon_signed_rank(a, b) if statistic == "mean" else None,
    )


def expectation_budgets(trials: int) -> np.ndarray:
    """Budgets for an expected-maximum curve of `trials` runs: a few hundred at most."""
    every = np.arange(1, min(trials, EVERY_BUDGET_UP_TO) + 1)
    if trials <= EVERY_BUDGET_UP_TO:
        return every
    spread = np.geomspace(EVERY_BUDGET_UP_TO, trials, LOG_BUDGETS).round().astype(np.int64)
    return np.union1d(every, spread)


def _run_summary(name: str, values: Any, confidence: float) -> SystemSummary:
    interval = mean_interval(values, confidence)
    scores = np.asarray(values, dtype=np.float64)
    spread = [float(scores.std(ddof=1)), *map(float, np.quantile(scores, [0, 0.5, 1]))]
    return SystemSummary(
        name,
        interval.n,
        "mean",
        interval.estimate,
        interval.low,
        interval.high,
        interval.method,
        *spread,
    )


def _summary(
    name: str,
    values: Any,
    statistic: str,
    n_resamples: int,
    seed: int,
    options: dict[str, Any],
) -> SystemSummary:
    interval = bootstrap_ci(values, statistic, n_resamples, method="bca", seed=seed, **options)
    spread: list[float | None] = [None, None, None, None]
    if statistic != "macro_f1":
        scores = np.asarray(values, dtype=np.float64)
        spread = [float(scores.std(ddof=1)), *map(float, np.quantile(scores, [0, 0.5, 1]))]
    return SystemSummary(
        name,
        interval.n,
        statistic,
        interval.estimate,
        interval.low,
        interval.high,
        "BCa bootstrap",
        *spread,
    )
