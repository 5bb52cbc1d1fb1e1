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

from audit.stats.aso import ASOResult, aso
from audit.stats.bootstrap import PairedBootstrap, bootstrap_ci, paired_bootstrap
from audit.stats.classical import (
    ClassicalTest,
    WelchTest,
    mann_whitney,
    welch_t,
    wilcoxon_signed_rank,
)
from audit.stats.effect_size import EffectSize, effect_size
from audit.stats.estimators import PAIRED_STATISTICS
from audit.stats.expected_max import ExpectedMax, expected_max
from audit.stats.inputs import StatsInputError, choice
from audit.stats.permutation import PermutationTest, permutation_test
from audit.stats.results import Result

if TYPE_CHECKING:
    from audit.stats.resampling import Device

Unit = Literal["run", "example"]
UNITS = ("run", "example")
# Fewer runs than this per system leave the distribution tests with little to go on.
FEW_RUNS = 5
# Dror et al. (2019) read ε_min < 0.5 as "A is better". On two samples from one distribution
# that fires, in one direction or the other, for about a third of the data sets (measured here:
# 300 pairs each of 5 to 50 normal scores); below 0.2 fires for 5-10%, so the verdict uses 0.2.
ASO_THRESHOLD = 0.2

SEED_ONLY_WARNING = (
    "Only the random seed varied between these runs, so each system is one configuration and "
    "their spread is seed sensitivity. This compares those two configurations, not the model "
    "families, and the best seed is not a fair estimate of either (Bethard 2022). Compare runs "
    "sampled over all hyperparameters, or the best models on bootstrap samples of the test set."
)


@dataclass(frozen=True)
class SystemSummary(Result):
    """One system's scores: the statistic with its BCa bootstrap interval, and their spread
    (None for label pairs, which have no spread)."""

    name: str
    n: int
    statistic: str
    estimate: float
    low: float
    high: float
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
    warnings: list[str] = field(default_factory=list)
    # per-run scores
    aso: ASOResult | None = None
    aso_reverse: ASOResult | None = None
    welch: WelchTest | None = None
    mann_whitney: ClassicalTest | None = None
    effect_size: EffectSize | None = None
    expected_max: tuple[ExpectedMax, ExpectedMax] | None = None
    # per-example scores
    paired_bootstrap: PairedBootstrap | None = None
    permutation: PermutationTest | None = None
    wilcoxon: ClassicalTest | None = None


def compare_systems(
    a: Any,
    b: Any,
    *,
    unit: Unit,
    seed_only: bool = False,
    statistic: str = "mean",
    names: tuple[str, str] = ("A", "B"),
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    device: Device = "cpu",
) -> Comparison:
    """Compare system `a` with system `b` (named `names`).

    `unit="run"`: `a` and `b` are per-run scores (any lengths); `seed_only` says whether only the
    random seed varied between runs, which the verdict and warnings then say. `unit="example"`:
    per-example scores of the same test examples, with `statistic` "mean", "accuracy" (0/1
    correctness) or "macro_f1" ((gold, predicted) pairs). `n_bootstrap` is ASO's.
    """
    choice(unit, UNITS, "unit")
    # One independent seed per resampling function, all fixed by `seed`.
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(6)]
    options = {"confidence": confidence, "device": device}
    if unit == "run":
        if statistic != "mean":
            raise StatsInputError("per-run scores are compared by their mean")
        return _compare_runs(a, b, seed_only, names, n_resamples, n_bootstrap, seeds, options)
    if seed_only:
        raise StatsInputError("seed_only describes per-run scores, not per-example ones")
    choice(statistic, PAIRED_STATISTICS, "statistic")
    return _compare_examples(a, b, statistic, names, n_resamples, seeds, options)


def _compare_runs(
    a: Any,
    b: Any,
    seed_only: bool,
    names: tuple[str, str],
    n_resamples: int,
    n_bootstrap: int,
    seeds: list[int],
    options: dict[str, Any],
) -> Comparison:
    systems = (
        _summary(names[0], a, "mean", n_resamples, seeds[0], options),
        _summary(names[1], b, "mean", n_resamples, seeds[1], options),
    )
    forward = aso(a, b, n_bootstrap=n_bootstrap, seed=seeds[2], **options)
    reverse = aso(b, a, n_bootstrap=n_bootstrap, seed=seeds[3], **options)
    runs = f"{systems[0].n} runs of {names[0]} with {systems[1].n} runs of {names[1]}"
    if seed_only:
        runs += " that vary only the random seed"
    if forward.epsilon_min < ASO_THRESHOLD:
        finding = f"{names[0]} is almost stochastically better (ε_min = {forward.epsilon_min:.3g})"
    elif reverse.epsilon_min < ASO_THRESHOLD:
        finding = f"{names[1]} is almost stochastically better (ε_min = {reverse.epsilon_min:.3g})"
    else:
        finding = (
            f"neither is almost stochastically better (ε_min = {forward.epsilon_min:.3g} for "
            f"{names[0]} over {names[1]}, {reverse.epsilon_min:.3g} the other way)"
        )
    warnings = [SEED_ONLY_WARNING] if seed_only else []
    if min(systems[0].n, systems[1].n) < FEW_RUNS:
        warnings.append(
            f"Fewer than {FEW_RUNS} runs per system: the tests have little power and ASO's "
            "bootstrap little to resample."
        )
    return Comparison(
        unit="run",
        seed_only=seed_only,
        statistic="mean",
        confidence=options["confidence"],
        systems=systems,
        difference=systems[0].estimate - systems[1].estimate,
        verdict=f"Compared {runs}: {finding}.",
        warnings=warnings,
        aso=forward,
        aso_reverse=reverse,
        welch=welch_t(a, b, confidence=options["confidence"]),
        mann_whitney=mann_whitney(a, b),
        effect_size=effect_size(a, b),
        expected_max=(expected_max(a), expected_max(b)),
    )


def _compare_examples(
    a: Any,
    b: Any,
    statistic: str,
    names: tuple[str, str],
    n_resamples: int,
    seeds: list[int],
    options: dict[str, Any],
) -> Comparison:
    systems = (
        _summary(names[0], a, statistic, n_resamples, seeds[0], options),
        _summary(names[1], b, statistic, n_resamples, seeds[1], options),
    )
    bootstrap = paired_bootstrap(
        a, b, statistic, n_resamples, method="bca", seed=seeds[4], **options
    )
    permutation = permutation_test(
        a, b, statistic, n_resamples, seed=seeds[5], device=options["device"]
    )
    interval = f"{options['confidence']:.0%} CI [{bootstrap.low:.4g}, {bootstrap.high:.4g}]"
    if bootstrap.low > 0 or bootstrap.high < 0:
        better, worse = names if bootstrap.difference > 0 else names[::-1]
        finding = (
            f"{better} is better than {worse} by {abs(bootstrap.difference):.4g} ({interval}, "
            f"paired bootstrap {_p(bootstrap.p_value, n_resamples)}, permutation "
            f"{_p(permutation.p_value, n_resamples)})"
        )
    else:
        finding = f"no clear difference ({bootstrap.difference:.4g}, {interval} includes 0)"
    return Comparison(
        unit="example",
        seed_only=False,
        statistic=statistic,
        confidence=options["confidence"],
        systems=systems,
        difference=bootstrap.difference,
        verdict=(
            f"Compared {names[0]} with {names[1]} by {statistic} on the same "
            f"{bootstrap.n} test examples: {finding}."
        ),
        paired_bootstrap=bootstrap,
        permutation=permutation,
        wilcoxon=wilcoxon_signed_rank(a, b) if statistic == "mean" else None,
    )


def _p(p_value: float, n_resamples: int) -> str:
    """A resampled p-value as words: one that no resample reached is below 1 / resamples."""
    return f"p < {1 / n_resamples:.2g}" if p_value == 0 else f"p = {p_value:.3g}"


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
        name, interval.n, statistic, interval.estimate, interval.low, interval.high, *spread
    )
