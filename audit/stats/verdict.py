"""The verdict a report prints: one set of rules for the comparison page, the lab report and the
reviewer checklist, so that no page names a winner another would not.

Runs (one score per training run), any number of systems, all pairs:
1. Fewer than `MIN_RUNS` runs of either system: "too few runs to tell". At 4 runs against 4 only
   complete separation reaches p < 0.05 in the exact rank test (p = 0.029; at 3 against 3 the
   smallest p is 0.1, at 2 against 2 0.33), and the chance of naming the better of two systems
   1 SD apart stays below 0.15 (`manage.py benchmark calibration`).
2. Scores on different scales (one system's all within 0 to 1, another's in the tens: fractions
   against percentages) are not compared.
3. A winner needs the exact Mann-Whitney test, two-sided, its p-value Holm-adjusted over every
   test the report runs, below `ALPHA`. With fewer than `ASO_REQUIRED_BELOW` runs of either
   system Almost Stochastic Order must agree too: ε_min below `ASO_THRESHOLD` in the same
   direction at a Bonferroni-corrected confidence (as deepsig's `multi_aso`: the error
   1 - confidence shared among the ordered pairs). From that many runs each the rank test
   decides and ASO is shown alongside: the rank test's level is exact at any n, and ASO's veto
   only cost power there (at 10 runs each and 1 SD apart, power 0.48 with it against 0.52
   without, false winners 0.029 against 0.038; `manage.py benchmark calibration`). ε_min is
   undefined when ASO's bootstrap has no spread (σ = 0): two fully separated samples give
   σ = 0 and ε_min = 0 whatever n, which says nothing about n. Where every resample shows one
   system above the other at every quantile, the rank test decides alone.
4. One system's runs vary only the random seed while the other's vary the hyperparameters: not
   like with like. No winner is named; the verdict says which way the tests lean.

Per-example scores of two fixed models on one test set: a winner needs the paired permutation
test (Holm-adjusted) below `ALPHA` and the paired bootstrap interval of the difference on the
same side of 0. The interval printed is that of better minus worse, so it agrees with its
sentence.

A claim (`claimed_better`: the system said, before the scores were seen, to beat the other, as a
paper says its model beats a baseline) is tested one-sided in that direction: the one-sided rank
test (per example: the one-sided permutation test) enters Holm's correction in place of the
two-sided one, and ASO keeps its role, in the claimed direction only. That is the test a stated
claim calls for, and it finds a true difference more often (at 10 runs each 1 SD apart about
0.65 against 0.52 two-sided; `manage.py benchmark calibration`). A claim the other way round
is never confirmed: the verdict says the data do not support it, and names the other system
better only where the two-sided rules above, Bonferroni-corrected over the report's tests,
would.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np

from audit.stats.aso import ASOResult, aso
from audit.stats.bootstrap import PairedBootstrap
from audit.stats.classical import ClassicalTest, mann_whitney
from audit.stats.inputs import StatsInputError, scores_array
from audit.stats.multiple import holm_bonferroni
from audit.stats.permutation import PermutationTest
from audit.stats.results import Result

ALPHA = 0.05
MIN_RUNS = 5
# Dror et al. (2019) read ε_min < 0.5 as "A is better"; on two samples from one distribution
# that fires, one way or the other, in about a third of data sets. Below 0.2 it fires in 5-10%.
ASO_THRESHOLD = 0.2
# Below this many runs of either system ASO must agree with the rank test (see rule 3).
ASO_REQUIRED_BELOW = 10
# A system whose scores all lie in [0, 1] next to one whose median is above this reads as a
# fraction against a percentage (0.86 against 85.3).
PERCENT_SCALE = 1.5

BETTER = "better"
NO_CLEAR_DIFFERENCE = "no clear difference"
TOO_FEW_RUNS = "too few runs"
NOT_COMPARABLE = "not comparable"
NOT_LIKE_WITH_LIKE = "not like with like"
# What a claim's verdict says of its test.
ONE_SIDED = "one-sided test, decided before seeing the scores"
RANK_TESTS = {
    "exact": "exact Mann-Whitney",
    "permutation": "Mann-Whitney (exact by permutation, scores tie)",
    "normal approximation": "Mann-Whitney (normal approximation)",
}


@dataclass(frozen=True)
class RunPair(Result):
    """What the tests found about runs of two systems, before any verdict."""

    first: str
    second: str
    n_first: int
    n_second: int
    mean_first: float
    mean_second: float
    # "first is almost stochastically greater than second" and the reverse; None where not
    # computed (too few runs, different scales).
    aso: ASOResult | None
    aso_reverse: ASOResult | None
    aso_confidence: float
    # The exact Mann-Whitney test (two-sided), where run.
    rank: ClassicalTest | None
    # Every run of one system above every run of the other.
    separated: bool
    # Whose runs vary only the seed, per system; None when not known.
    seed_only: tuple[bool, bool] | None
    # Why no test was run: TOO_FEW_RUNS or NOT_COMPARABLE, with the scale clash in words.
    untested: str | None = None
    scales: str | None = None
    # The system claimed better before the scores were seen, and the one-sided rank test of
    # that claim; None for an undirected comparison.
    claimed_better: str | None = None
    claim_rank: ClassicalTest | None = None

    @property
    def p_value(self) -> float | None:
        """The decisive test's p-value (one-sided for a claim); None where the verdict does not
        test the pair."""
        if self.rank is None or self.untested:
            return None
        return self.rank.p_value if self.claim_rank is None else self.claim_rank.p_value

    @property
    def epsilon_min(self) -> float | None:
        """ε_min of first over second; None where undefined (σ = 0) or not computed."""
        return _defined(self.aso)

    @property
    def epsilon_min_reverse(self) -> float | None:
        return _defined(self.aso_reverse)


def _defined(result: ASOResult | None) -> float | None:
    return result.epsilon_min if result is not None and result.sigma > 0 else None


@dataclass(frozen=True)
class ExamplePair(Result):
    """Two fixed models on the same test examples: the paired bootstrap and permutation test."""

    first: str
    second: str
    statistic: str
    n: int
    # statistic(first) - statistic(second) with its bootstrap interval
    difference: float
    low: float
    high: float
    confidence: float
    permutation_p: float
    resamples: int
    # As in RunPair: the system claimed better and the one-sided permutation test of the claim.
    claimed_better: str | None = None
    claim_p: float | None = None

    @property
    def p_value(self) -> float:
        return self.permutation_p if self.claim_p is None else self.claim_p


@dataclass(frozen=True)
class PairVerdict(Result):
    first: str
    second: str
    outcome: str
    winner: str | None
    # Where no winner is named: the system the tests favour (rank test and ASO both), if any.
    leaning: str | None
    # The decisive test's p-value, Holm-adjusted over every test of the report.
    adjusted_p: float | None
    tests_in_report: int
    text: str
    # For a claim: the system claimed better, and whether the data support the claim.
    claimed_better: str | None = None
    claim_supported: bool | None = None


@dataclass(frozen=True)
class RankStep(Result):
    """Two neighbours in the ranking by mean, and whether the upper one is shown better."""

    above: str
    below: str
    outcome: str
    adjusted_p: float | None
    epsilon_min: float | None


@dataclass(frozen=True)
class RunsVerdict(Result):
    """All pairs of k ≥ 2 systems' runs on one data set, and the ranking by mean."""

    dataset: str | None
    systems: list[str]
    runs: list[int]
    means: list[float]
    pairs: list[RunPair]
    verdicts: list[PairVerdict]
    ranking: list[str]
    steps: list[RankStep]
    text: str


def aso_confidence(confidence: float, comparisons: int) -> float:
    """deepsig's Bonferroni correction: the error 1 - confidence shared by the comparisons."""
    return 1 - (1 - confidence) / max(1, comparisons)


def scale_clash(names: Sequence[str], samples: Sequence[np.ndarray]) -> str | None:
    """Words for scores on different scales (fractions against percentages), else None."""
    fractions = [n for n, s in zip(names, samples, strict=True) if s.min() >= 0 and s.max() <= 1]
    larger = [
        (n, float(np.median(s)))
        for n, s in zip(names, samples, strict=True)
        if np.median(s) > PERCENT_SCALE
    ]
    if not fractions or not larger:
        return None
    name, median = larger[0]
    return (
        f"the scores of {fractions[0]} all lie between 0 and 1 while those of {name} have a "
        f"median of {median:.4g}: fractions against percentages? Put every system on one scale"
    )


def run_pair(
    first: str,
    second: str,
    a: Any,
    b: Any,
    *,
    confidence: float,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    seed_only: tuple[bool, bool] | None = None,
    claimed_better: str | None = None,
) -> RunPair:
    """The tests behind a verdict on runs of two systems; ASO at `confidence` (already
    corrected for the number of comparisons). `claimed_better`, `first` or `second`, adds the
    one-sided rank test of that claim."""
    _check_claim(claimed_better, (first, second))
    x, y = scores_array(a, first, min_size=2), scores_array(b, second, min_size=2)
    common = {
        "first": first,
        "second": second,
        "n_first": x.size,
        "n_second": y.size,
        "mean_first": float(x.mean()),
        "mean_second": float(y.mean()),
        "aso_confidence": confidence,
        "separated": bool(x.min() > y.max() or y.min() > x.max()),
        "seed_only": seed_only,
        "claimed_better": claimed_better,
    }
    clash = scale_clash([first, second], [x, y])
    if clash:
        untested = {"aso": None, "aso_reverse": None, "rank": None}
        return RunPair(**common, **untested, untested=NOT_COMPARABLE, scales=clash)
    # Below MIN_RUNS the tests are still run, for the report's table, but judge() refuses.
    few = TOO_FEW_RUNS if min(x.size, y.size) < MIN_RUNS else None
    seeds = np.random.SeedSequence(seed).generate_state(2)
    forward = aso(x, y, confidence, n_bootstrap, int(seeds[0]))
    reverse = aso(y, x, confidence, n_bootstrap, int(seeds[1]))
    claim_rank = None
    if claimed_better is not None:
        claimed, other = (x, y) if claimed_better == first else (y, x)
        claim_rank = mann_whitney(claimed, other, alternative="greater")
    return RunPair(
        **common,
        aso=forward,
        aso_reverse=reverse,
        rank=mann_whitney(x, y),
        untested=few,
        claim_rank=claim_rank,
    )


def _check_claim(claimed_better: str | None, names: Sequence[str]) -> None:
    if claimed_better is not None and claimed_better not in names:
        raise StatsInputError(
            f"the system claimed better, {claimed_better!r}, is not among the systems compared "
            f"({', '.join(map(str, names))})"
        )


def example_pair(
    first: str,
    second: str,
    bootstrap: PairedBootstrap,
    permutation: PermutationTest,
    claim: PermutationTest | None = None,
) -> ExamplePair:
    """The evidence on two models' per-example scores; `claim` is the one-sided permutation
    test of the claim that one beats the other (alternative "greater": first, "less": second)."""
    claimed_better = None
    if claim is not None:
        claimed_better = {"greater": first, "less": second}[claim.alternative]
    return ExamplePair(
        first=first,
        second=second,
        statistic=bootstrap.statistic,
        n=bootstrap.n,
        difference=bootstrap.difference,
        low=bootstrap.low,
        high=bootstrap.high,
        confidence=bootstrap.confidence,
        permutation_p=permutation.p_value,
        resamples=permutation.n_resamples,
        claimed_better=claimed_better,
        claim_p=None if claim is None else claim.p_value,
    )


def judge(pairs: Sequence[RunPair | ExamplePair]) -> list[PairVerdict]:
    """The verdict on each pair, with Holm's correction over all the tests among them."""
    tested = [i for i, pair in enumerate(pairs) if pair.p_value is not None]
    adjusted: dict[int, float] = {}
    if tested:
        holm = holm_bonferroni([pairs[i].p_value for i in tested], ALPHA)
        adjusted = dict(zip(tested, holm.adjusted, strict=True))
    verdicts = []
    for i, pair in enumerate(pairs):
        if pair.claimed_better is not None:
            verdicts.append(_judge_claim(pair, adjusted.get(i), len(tested)))
        elif isinstance(pair, RunPair):
            verdicts.append(_judge_runs(pair, adjusted.get(i), len(tested)))
        else:
            verdicts.append(_judge_examples(pair, adjusted[i], len(tested)))
    return verdicts


def judge_runs(
    samples: Mapping[str, Any],
    *,
    seed_only: Mapping[str, bool] | None = None,
    confidence: float = 0.95,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    claimed_better: str | None = None,
) -> RunsVerdict:
    """All pairs of k ≥ 2 systems' runs, judged by the rules above, and the ranking by mean.
    `claimed_better` names the system claimed, before the scores were seen, to beat the others:
    each pair with it is tested one-sided in that direction."""
    return judge_datasets(
        {None: samples},
        seed_only=seed_only,
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        seed=seed,
        claimed_better=claimed_better,
    )[0]


def judge_datasets(
    datasets: Mapping[str | None, Mapping[str, Any]],
    *,
    seed_only: Mapping[str, bool] | None = None,
    confidence: float = 0.95,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    claimed_better: str | None = None,
) -> list[RunsVerdict]:
    """`judge_runs` for each data set, corrected together: Holm over every pair of every data
    set, ASO's confidence shared by every ordered pair."""
    plans = []
    for dataset, samples in datasets.items():
        names = list(samples)
        if len(names) < 2:
            raise StatsInputError(f"a comparison needs at least two systems; got {len(names)}")
        _check_claim(claimed_better, names)
        plans.append(
            (dataset, names, [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))])
        )
    ordered = 2 * sum(len(pairs) for _, _, pairs in plans)
    level = aso_confidence(confidence, ordered)
    seeds = iter(np.random.SeedSequence(seed).generate_state(max(1, ordered)))
    evidence = []
    for dataset, names, pairs in plans:
        samples = datasets[dataset]
        for i, j in pairs:
            first, second = names[i], names[j]
            only = None if seed_only is None else (seed_only[first], seed_only[second])
            evidence.append(
                run_pair(
                    first,
                    second,
                    samples[first],
                    samples[second],
                    confidence=level,
                    n_bootstrap=n_bootstrap,
                    seed=int(next(seeds)),
                    seed_only=only,
                    claimed_better=claimed_better if claimed_better in (first, second) else None,
                )
            )
    verdicts = iter(judge(evidence))
    found = iter(evidence)
    results = []
    for dataset, names, pairs in plans:
        samples = datasets[dataset]
        pair_evidence = [next(found) for _ in pairs]
        pair_verdicts = [next(verdicts) for _ in pairs]
        results.append(_runs_verdict(dataset, names, samples, pair_evidence, pair_verdicts))
    return results


def _runs_verdict(
    dataset: str | None,
    names: list[str],
    samples: Mapping[str, Any],
    evidence: list[RunPair],
    verdicts: list[PairVerdict],
) -> RunsVerdict:
    means = [float(np.mean(samples[name])) for name in names]
    runs = [int(np.size(samples[name])) for name in names]
    ranking = [names[i] for i in np.argsort(-np.asarray(means), kind="stable")]
    by_pair = {
        frozenset((v.first, v.second)): (v, e) for v, e in zip(verdicts, evidence, strict=True)
    }
    steps = []
    for above, below in pairwise(ranking):
        verdict, pair = by_pair[frozenset((above, below))]
        epsilon = pair.epsilon_min if pair.first == above else pair.epsilon_min_reverse
        steps.append(RankStep(above, below, verdict.outcome, verdict.adjusted_p, epsilon))
    text = verdicts[0].text if len(names) == 2 else _many_text(ranking, verdicts)
    if dataset is not None:
        text = f"On {dataset}: {text}"
    return RunsVerdict(dataset, names, runs, means, evidence, verdicts, ranking, steps, text)


def _many_text(ranking: list[str], verdicts: list[PairVerdict]) -> str:
    wins = [v for v in verdicts if v.outcome == BETTER]
    refused = {v.outcome for v in verdicts} & {TOO_FEW_RUNS, NOT_COMPARABLE}
    parts = []
    if wins:
        beaten: dict[str, list[str]] = {}
        for verdict in wins:
            loser = verdict.second if verdict.winner == verdict.first else verdict.first
            beaten.setdefault(verdict.winner, []).append(loser)
        parts.append(
            "; ".join(
                f"{winner} is better than {_listing(sorted(beaten[winner], key=ranking.index))}"
                for winner in ranking
                if winner in beaten
            )
        )
    else:
        parts.append(f"No system is shown better than another ({len(verdicts)} pairs)")
    if refused:
        parts.append(
            "Some pairs are not judged: "
            + "; ".join(v.text for v in verdicts if v.outcome in refused)
        )
    claims = [v for v in verdicts if v.claimed_better is not None]
    for supported in (True, False):
        rivals = [
            v.second if v.first == v.claimed_better else v.first
            for v in claims
            if v.claim_supported is supported
        ]
        if rivals:
            parts.append(
                f"The claim that {claims[0].claimed_better} beats "
                f"{_listing(sorted(rivals, key=ranking.index))} is "
                f"{'supported' if supported else 'not supported'} (one-sided tests, decided "
                "before seeing the scores)"
            )
    others = [v for v in verdicts if v.outcome == NOT_LIKE_WITH_LIKE]
    if others:
        parts.append(
            "Not like with like, so not judged: "
            + ", ".join(f"{v.first} and {v.second}" for v in others)
        )
    return (
        f"Ranked by mean: {' > '.join(ranking)}. "
        + ". ".join(parts)
        + f" (exact Mann-Whitney tests, Holm-adjusted over {verdicts[0].tests_in_report} pairs, "
        f"confirmed by ASO where a system has fewer than {ASO_REQUIRED_BELOW} runs)."
    )


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def p_text(p: float, resamples: int | None = None) -> str:
    """A p-value in words. A resampled one that no resample reached is bounded by 1/(B + 1)."""
    if resamples is not None and p * (resamples + 1) <= 2 + 1e-9:
        return f"p ≤ {p:.2g}, the least {resamples:,} resamples can show"
    return f"p = {p:.2g}"


def _epsilon(value: float | None) -> str:
    if value is None:
        return "undefined (σ = 0)"
    shown = f"{value:.2g}"
    # Rounding must not lift a value the verdict counted as below the threshold onto it.
    if value < ASO_THRESHOLD <= float(shown):
        shown = f"{math.floor(value * 1000) / 1000:.3f}"
    return shown


def _judge_runs(
    pair: RunPair, adjusted: float | None, tests: int, correction: str = "Holm"
) -> PairVerdict:
    first, second = pair.first, pair.second

    def verdict(outcome: str, text: str, winner=None, leaning=None) -> PairVerdict:
        return PairVerdict(first, second, outcome, winner, leaning, adjusted, tests, text)

    if pair.untested == TOO_FEW_RUNS:
        return verdict(
            TOO_FEW_RUNS,
            f"too few runs to tell {first} and {second} apart ({pair.n_first} and "
            f"{pair.n_second}; the verdict needs at least {MIN_RUNS} runs of each system)",
        )
    if pair.untested == NOT_COMPARABLE:
        return verdict(NOT_COMPARABLE, f"{first} and {second} are not comparable: {pair.scales}")
    higher, lower = (first, second) if pair.mean_first >= pair.mean_second else (second, first)
    epsilon = pair.epsilon_min if higher == first else pair.epsilon_min_reverse
    rank_agrees = adjusted < ALPHA
    # σ = 0 with no violation: every resample puts the higher system above at every quantile.
    ordered = pair.aso if higher == first else pair.aso_reverse
    dominates = epsilon is None and ordered.violation_ratio == 0
    aso_agrees = dominates or (epsilon is not None and epsilon < ASO_THRESHOLD)
    corrected = f", {correction}-adjusted over {tests} tests" if tests > 1 else ""
    rank = f"{RANK_TESTS[pair.rank.method]} {p_text(adjusted)}{corrected}"
    if dominates:
        order = (
            f"every run of {higher} beats every run of {lower}"
            if pair.separated
            else f"the scores of {higher} are above those of {lower} at every quantile"
        )
        shown = (
            f"{order}; {rank}; ASO's ε_min is undefined (σ = 0: every resample shows that "
            "order), so the rank test decides"
        )
    else:
        shown = f"{rank}; ASO ε_min = {_epsilon(epsilon)} at {pair.aso_confidence:.4g} confidence"
    aso_required = min(pair.n_first, pair.n_second) < ASO_REQUIRED_BELOW
    if rank_agrees and not aso_agrees and not aso_required:
        shown += (
            f"; ASO does not confirm it, and with {ASO_REQUIRED_BELOW} runs of each system or "
            "more the exact rank test decides alone"
        )
    leaning = higher if rank_agrees and (aso_agrees or not aso_required) else None
    if pair.seed_only is not None and pair.seed_only[0] != pair.seed_only[1]:
        seedy, searched = (first, second) if pair.seed_only[0] else (second, first)
        favour = "tests favour" if aso_agrees else "rank test favours"
        lean = (
            f"the {favour} {leaning} ({shown})"
            if leaning
            else f"the tests do not separate them ({shown})"
        )
        return verdict(
            NOT_LIKE_WITH_LIKE,
            f"no winner named: the runs of {seedy} vary only the random seed (one "
            f"configuration) while those of {searched} vary the hyperparameters, which is not "
            f"like with like; {lean}",
            leaning=leaning,
        )
    if leaning:
        return verdict(
            BETTER, f"{higher} is better than {lower} ({shown}){_scope(pair)}", winner=higher
        )
    if rank_agrees:
        why = (
            f"the rank test favours {higher} ({rank}) but ASO does not (ε_min = "
            f"{_epsilon(epsilon)} at {pair.aso_confidence:.4g} confidence)"
        )
    elif aso_agrees and epsilon is not None:
        why = (
            f"ASO favours {higher} (ε_min = {_epsilon(epsilon)}) but the rank test does not "
            f"({rank})"
        )
    else:
        other = pair.epsilon_min_reverse if higher == first else pair.epsilon_min
        why = (
            f"{rank}; ASO ε_min = {_epsilon(epsilon)} for {higher} over {lower}, "
            f"{_epsilon(other)} the other way"
        )
    return verdict(NO_CLEAR_DIFFERENCE, f"no clear difference between {first} and {second} ({why})")


def _scope(pair: RunPair) -> str:
    if pair.seed_only != (True, True):
        return ""
    return (
        "; these runs vary only the seed of one configuration each, which says nothing of the "
        "model families"
    )


def _judge_claim(pair: RunPair | ExamplePair, adjusted: float | None, tests: int) -> PairVerdict:
    """The claim that `pair.claimed_better` beats the other system: supported or not by the
    one-sided test; where the two-sided rules, Bonferroni-corrected over the report's tests,
    name the other system better, the verdict says that too."""
    claimed = pair.claimed_better
    other = pair.second if claimed == pair.first else pair.first
    claim = f"the claim that {claimed} beats {other}"
    if isinstance(pair, RunPair):
        two_sided = None if adjusted is None else min(1.0, pair.rank.p_value * tests)
        undirected = _judge_runs(pair, two_sided, tests, correction="Bonferroni")
    else:
        two_sided = min(1.0, pair.permutation_p * tests)
        undirected = _judge_examples(pair, two_sided, tests, correction="Bonferroni")
    if adjusted is None or undirected.outcome == NOT_LIKE_WITH_LIKE:
        return replace(
            undirected,
            text=f"{claim} is not supported: {undirected.text}",
            adjusted_p=adjusted,
            claimed_better=claimed,
            claim_supported=False,
        )
    if isinstance(pair, RunPair):
        supported, shown = _claim_runs(pair, adjusted, tests)
    else:
        supported, shown = _claim_examples(pair, adjusted, tests)

    def verdict(outcome, text, winner=None, p=adjusted, supported=False) -> PairVerdict:
        return PairVerdict(
            pair.first, pair.second, outcome, winner, None, p, tests, text, claimed, supported
        )

    if supported:
        scope = _scope(pair) if isinstance(pair, RunPair) else ""
        return verdict(
            BETTER, f"{claim} is supported ({ONE_SIDED}): {shown}{scope}", claimed, supported=True
        )
    text = f"{claim} is not supported ({ONE_SIDED}): {shown}"
    if undirected.outcome == BETTER and undirected.winner == other:
        return verdict(
            BETTER,
            f"{text}; the two-sided test shows the opposite: {undirected.text}",
            other,
            p=undirected.adjusted_p,
        )
    return verdict(NO_CLEAR_DIFFERENCE, text)


def _claim_runs(pair: RunPair, adjusted: float, tests: int) -> tuple[bool, str]:
    """Whether runs support the claim (rules 1 to 3 with the one-sided rank test and ASO in the
    claimed direction only), and the tests in words."""
    claimed = pair.claimed_better
    other = pair.second if claimed == pair.first else pair.first
    epsilon = pair.epsilon_min if claimed == pair.first else pair.epsilon_min_reverse
    ordered = pair.aso if claimed == pair.first else pair.aso_reverse
    dominates = epsilon is None and ordered.violation_ratio == 0
    aso_agrees = dominates or (epsilon is not None and epsilon < ASO_THRESHOLD)
    aso_required = min(pair.n_first, pair.n_second) < ASO_REQUIRED_BELOW
    rank_agrees = adjusted < ALPHA
    corrected = f", Holm-adjusted over {tests} tests" if tests > 1 else ""
    rank = f"{RANK_TESTS[pair.claim_rank.method]}, one-sided, {p_text(adjusted)}{corrected}"
    if epsilon is not None:
        aso_text = (
            f"ASO ε_min of {claimed} over {other} = {epsilon:.2g} at "
            f"{pair.aso_confidence:.4g} confidence"
        )
    elif dominates:
        aso_text = (
            f"ASO's ε_min of {claimed} over {other} is undefined (σ = 0: every resample shows "
            f"{claimed} above {other} at every quantile), so the rank test decides"
        )
    else:
        aso_text = f"ASO's ε_min of {claimed} over {other} is undefined (σ = 0)"
    if rank_agrees and not aso_agrees and aso_required:
        return False, (
            f"the one-sided rank test favours {claimed} ({rank}) but ASO does not ({aso_text}), "
            f"and below {ASO_REQUIRED_BELOW} runs of either system ASO must agree"
        )
    shown = f"{rank}; {aso_text}"
    if rank_agrees and not aso_agrees:
        shown += (
            f"; ASO does not confirm it, and with {ASO_REQUIRED_BELOW} runs of each system or "
            "more the exact rank test decides alone"
        )
    return rank_agrees, shown


def _claim_examples(pair: ExamplePair, adjusted: float, tests: int) -> tuple[bool, str]:
    """Whether per-example scores support the claim (the one-sided permutation test), and the
    figures in words, the interval being that of claimed minus other."""
    claimed = pair.claimed_better
    if claimed == pair.first:
        other, difference, low, high = pair.second, pair.difference, pair.low, pair.high
    else:
        other, difference, low, high = pair.first, -pair.difference, -pair.high, -pair.low
    corrected = f", Holm-adjusted over {tests} tests" if tests > 1 else ""
    permutation = (
        f"one-sided permutation test {p_text(adjusted, None if tests > 1 else pair.resamples)}"
        f"{corrected}"
    )
    shown = (
        f"{claimed} − {other} = {difference:.4g}, {pair.confidence:.0%} CI "
        f"[{low:.4g}, {high:.4g}] (paired bootstrap); {permutation}"
    )
    return adjusted < ALPHA and difference > 0, shown


def _judge_examples(
    pair: ExamplePair, adjusted: float, tests: int, correction: str = "Holm"
) -> PairVerdict:
    first, second = pair.first, pair.second
    level = f"{pair.confidence:.0%}"
    excludes = pair.low > 0 or pair.high < 0
    corrected = f", {correction}-adjusted over {tests} tests" if tests > 1 else ""
    permutation = (
        f"permutation test {p_text(adjusted, None if tests > 1 else pair.resamples)}{corrected}"
    )
    if excludes and adjusted < ALPHA:
        if pair.difference > 0:
            better, worse, low, high = first, second, pair.low, pair.high
        else:
            better, worse, low, high = second, first, -pair.high, -pair.low
        return PairVerdict(
            first,
            second,
            BETTER,
            better,
            None,
            adjusted,
            tests,
            f"{better} is better than {worse} by {abs(pair.difference):.4g} ({level} CI of "
            f"{better} − {worse} [{low:.4g}, {high:.4g}], paired bootstrap; {permutation})",
        )
    interval = f"{level} CI of {first} − {second} [{pair.low:.4g}, {pair.high:.4g}]"
    reading = (
        "includes 0" if not excludes else "excludes 0, but the permutation test does not agree"
    )
    return PairVerdict(
        first,
        second,
        NO_CLEAR_DIFFERENCE,
        None,
        None,
        adjusted,
        tests,
        f"no clear difference ({pair.difference:.4g}, {interval} {reading}; {permutation})",
    )
