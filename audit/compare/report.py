"""A comparison report: the figures of `compare_systems` for two systems' scores, or of
`judge_datasets` for more systems or data sets, and the words and tables that the page and the
PDF both show, so that they never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from audit.compare.scores_csv import Scores
from audit.stats import Comparison, compare_systems
from audit.stats.calibration import RunsNeeded, runs_needed
from audit.stats.classical import mean_interval
from audit.stats.verdict import (
    ALPHA,
    ASO_REQUIRED_BELOW,
    ASO_THRESHOLD,
    BETTER,
    MIN_RUNS,
    NO_CLEAR_DIFFERENCE,
    TOO_FEW_RUNS,
    RunsVerdict,
    judge_datasets,
)

# Fixed, so that the same scores always give the same report, and its JSON and PDF the figures
# the page showed.
REPORT_SEED = 2022
RESAMPLES = 10_000
ASO_BOOTSTRAP = 1000
# "How many runs do I need": simulated data sets per candidate size, and ASO's resamples there.
NEEDED_DATASETS = 100
NEEDED_ASO_BOOTSTRAP = 100
# Budgets (numbers of trials) that the expected-maximum table lists, where the runs reach them.
BUDGETS = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True, eq=False)
class Report:
    scores: Scores
    comparison: Comparison
    # Where runs did not tell the systems apart: how many would, from these as pilot runs.
    needed: RunsNeeded | None = None

    @property
    def names(self) -> tuple[str, str]:
        return self.scores.names

    @property
    def statistic_label(self) -> str:
        return "Accuracy" if self.comparison.statistic == "accuracy" else "Mean"

    @property
    def confidence_label(self) -> str:
        return f"{self.comparison.confidence:.0%}"

    @property
    def claimed_better(self) -> str | None:
        return self.comparison.judgement.claimed_better


MANY_METHOD = (
    f"Every pair of systems on each data set is tested with the exact Mann-Whitney test, its "
    f"p-values Holm-adjusted over all pairs of all data sets, and with Almost Stochastic Order at "
    f"a confidence shared among all ordered pairs (Bonferroni, as deepsig's multi_aso). A pair "
    f"is judged only with at least {MIN_RUNS} runs of each system, and a system is called "
    f"better where the rank test finds it (p < {ALPHA}) and, with fewer than "
    f"{ASO_REQUIRED_BELOW} runs of either system, ASO agrees (ε_min < {ASO_THRESHOLD}). "
    f"Intervals of means are Student t intervals. ASO uses {ASO_BOOTSTRAP:,} bootstrap samples "
    f"from seed {REPORT_SEED}: the same scores always give the same report."
)


@dataclass(frozen=True, eq=False)
class ManyReport:
    """Runs of more than two systems, or on several data sets: every pair, per data set."""

    scores: Scores
    judged: list[RunsVerdict]
    claimed_better: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.scores.names

    @property
    def verdict(self) -> str:
        return " ".join(verdict.text for verdict in self.judged)


def build_report(scores: Scores, claimed_better: str | None = None) -> Report | ManyReport:
    """The report on `scores`; `claimed_better` names the system claimed, before the scores
    were seen, to beat the others, which the verdict then tests one-sided."""
    if scores.many:
        datasets = scores.datasets or {None: scores.samples}
        judged = judge_datasets(
            datasets,
            seed_only=dict(zip(scores.names, scores.only_seed, strict=True)),
            n_bootstrap=ASO_BOOTSTRAP,
            seed=REPORT_SEED,
            claimed_better=claimed_better,
        )
        return ManyReport(scores, judged, claimed_better)
    comparison = compare_systems(
        scores.a,
        scores.b,
        unit=scores.unit,
        seed_only=tuple(scores.only_seed) if scores.only_seed else False,
        statistic=scores.statistic,
        names=scores.names,
        n_resamples=RESAMPLES,
        n_bootstrap=ASO_BOOTSTRAP,
        seed=REPORT_SEED,
        dev=None if scores.dev is None else tuple(scores.dev[name] for name in scores.names),
        claimed_better=claimed_better,
    )
    needed = None
    undecided = comparison.judgement.outcome in (NO_CLEAR_DIFFERENCE, TOO_FEW_RUNS)
    # More runs can only support a claim whose system the runs put ahead.
    ahead = scores.names[0] if comparison.difference > 0 else scores.names[1]
    hopeless = claimed_better is not None and claimed_better != ahead
    if comparison.unit == "run" and undecided and comparison.difference != 0 and not hopeless:
        needed = runs_needed(
            scores.a,
            scores.b,
            datasets=NEEDED_DATASETS,
            n_bootstrap=NEEDED_ASO_BOOTSTRAP,
            seed=REPORT_SEED,
            claim=claimed_better is not None,
        )
    return Report(scores, comparison, needed)


def needed_text(report: Report) -> str:
    """How many runs would tell the systems apart, in words."""
    needed = report.needed
    chances = ", ".join(f"{n} runs each: {power:.0%}" for n, power in needed.power.items())
    conclusion = (
        f"about {needed.needed} runs of each system give a {needed.target:.0%} chance"
        if needed.needed
        else f"even {max(map(int, needed.power))} runs each give less than {needed.target:.0%}"
    )
    found = (
        f"support the claim that {report.claimed_better} is better (one-sided test)"
        if report.claimed_better
        else "name the better system"
    )
    return (
        f"If the true difference were the one observed here ({number(needed.effect)}) and runs "
        f"spread as these do (pooled SD {number(needed.pooled_sd)}), the verdict would {found} "
        f"with these chances ({NEEDED_DATASETS} simulated data sets each): {chances}. So "
        f"{conclusion}."
    )


def systems_of(report: ManyReport, verdict: RunsVerdict) -> list[list[str]]:
    """One row per system on one data set: runs, mean with its Student t interval, spread."""
    samples = report.scores.datasets[verdict.dataset] if verdict.dataset else report.scores.samples
    rows = [["System", "Runs", "Mean", "95% CI (Student t)", "SD", "Min", "Max"]]
    for name in verdict.ranking:
        scores = samples[name]
        ci = mean_interval(scores)
        rows.append(
            [
                name,
                f"{scores.size:,}",
                number(ci.estimate),
                interval(ci.low, ci.high),
                number(float(scores.std(ddof=1))),
                number(float(scores.min())),
                number(float(scores.max())),
            ]
        )
    return rows


def pairs_matrix(verdict: RunsVerdict) -> list[list[str]]:
    """Row system against column system: better, worse or why not judged, with Holm's p."""
    names = verdict.ranking
    cells = {}
    for judged in verdict.verdicts:
        for row, column in ((judged.first, judged.second), (judged.second, judged.first)):
            if judged.outcome == BETTER:
                word = "better" if judged.winner == row else "worse"
            else:
                word = judged.outcome
            if judged.adjusted_p is not None:
                word += f" (p = {judged.adjusted_p:.2g})"
            cells[(row, column)] = word
    rows = [["", *names]]
    for row in names:
        rows.append([row, *("—" if row == column else cells[(row, column)] for column in names)])
    return rows


def ranking_steps(verdict: RunsVerdict) -> list[list[str]]:
    """Each step of the ranking by mean and how sure it is."""
    rows = [["Step", "Holm-adjusted p (Mann-Whitney)", "ASO ε_min", "Reading"]]
    for step in verdict.steps:
        rows.append(
            [
                f"{step.above} over {step.below}",
                "—" if step.adjusted_p is None else f"{step.adjusted_p:.2g}",
                "undefined" if step.epsilon_min is None else f"{step.epsilon_min:.2g}",
                f"{step.above} is better" if step.outcome == BETTER else step.outcome,
            ]
        )
    return rows


def many_dict(report: ManyReport) -> dict[str, Any]:
    scores = report.scores
    return {
        "input": {
            "layout": scores.layout,
            "unit": scores.unit,
            "systems": list(scores.names),
            "datasets": None if scores.datasets is None else list(scores.datasets),
            "scores": {name: values.tolist() for name, values in scores.samples.items()},
            "configuration_columns": list(scores.configuration),
            "seed_only": dict(zip(scores.names, scores.only_seed, strict=True)),
            "claimed_better": report.claimed_better,
            "notes": scores.notes,
        },
        "seed": REPORT_SEED,
        "verdict": report.verdict,
        "comparisons": [verdict.to_dict() for verdict in report.judged],
    }


def report_dict(report: Report) -> dict[str, Any]:
    """Everything the report shows, for the JSON download."""
    scores = report.scores
    return {
        "input": {
            "layout": scores.layout,
            "unit": scores.unit,
            "systems": list(scores.names),
            "scores": [scores.a.tolist(), scores.b.tolist()],
            "configuration_columns": list(scores.configuration),
            "varied_columns": {
                name: list(varied) for name, varied in zip(scores.names, scores.varied, strict=True)
            },
            "seed_only": scores.seed_only,
            "claimed_better": report.claimed_better,
            "notes": scores.notes,
        },
        "seed": REPORT_SEED,
        "comparison": report.comparison.to_dict(),
        "runs_needed": None if report.needed is None else report.needed.to_dict(),
    }


def method_note(report: Report) -> str:
    """How the figures were computed, so that anyone can redo them."""
    resampled = f"Bootstrap intervals and tests use {RESAMPLES:,} resamples"
    if report.comparison.unit == "run":
        resampled += f" (ASO {ASO_BOOTSTRAP:,})"
    if report.comparison.unit == "run":
        intervals = (
            "Intervals of a mean over runs are Student t intervals (a bootstrap interval of a "
            "mean over 3 runs covers about 73%, not 95%); that of the difference is Welch's. "
            f"The verdict needs at least {MIN_RUNS} runs per system, and names a winner only "
            f"when the exact Mann-Whitney test finds one (p < {ALPHA}) and, with fewer than "
            f"{ASO_REQUIRED_BELOW} runs of either system, ASO agrees (ε_min < {ASO_THRESHOLD}, "
            "at a confidence corrected for both directions)."
        )
    else:
        intervals = (
            "Intervals are BCa bootstrap intervals (Efron 1987). The verdict names a winner "
            f"only when the permutation test (p < {ALPHA}) and the paired bootstrap interval "
            "agree."
        )
    claim = ""
    if report.claimed_better:
        claim = (
            f" {report.claimed_better} was claimed better before the scores were seen, so the "
            "verdict tests that claim one-sided (the "
            + ("exact Mann-Whitney" if report.comparison.unit == "run" else "permutation")
            + " test in the claimed direction); a claim the scores contradict is never "
            "supported."
        )
    return (
        f"{resampled}, drawn from seed {REPORT_SEED}: the same scores always give the same "
        f"report. {intervals}{claim}"
    )


def number(value: float) -> str:
    # Four significant digits, but no exponent for counts such as a rank statistic's 44,640.
    # A test on scores with no spread at all (t on constant runs) has no value: "n/a".
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def p_value(value: float) -> str:
    if math.isnan(value):
        return "p = n/a"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def interval(low: float, high: float) -> str:
    return f"[{number(low)}, {number(high)}]"


def systems_table(report: Report) -> list[list[str]]:
    """One row per system: its size, statistic with interval and, for scores, their spread."""
    comparison = report.comparison
    items = "Runs" if comparison.unit == "run" else "Examples"
    header = [
        "System",
        items,
        report.statistic_label,
        f"{report.confidence_label} CI ({comparison.systems[0].interval_method})",
    ]
    spread = comparison.statistic == "mean"
    if spread:
        header += ["SD", "Min", "Median", "Max"]
    rows = [header]
    for system in comparison.systems:
        row = [system.name, f"{system.n:,}", number(system.estimate)]
        row.append(interval(system.low, system.high))
        if spread:
            row += [number(system.std), number(system.minimum)]
            row += [number(system.median), number(system.maximum)]
        rows.append(row)
    return rows


def tests_table(report: Report) -> list[list[str]]:
    """One row per test: its name, its result and what that says, in words."""
    first, second = report.names
    comparison = report.comparison
    level = report.confidence_label
    rows = [["Test", "Result", "Reading"]]
    if comparison.unit == "run":
        aso_rows = (
            (first, second, comparison.aso),
            (second, first, comparison.aso_reverse),
        )
        for winner, loser, result in aso_rows:
            if result is None:
                continue
            if result.sigma == 0:
                shown, reading = "ε_min undefined (σ = 0)", "no spread over resamples: no reading"
            else:
                shown = f"ε_min = {number(result.epsilon_min)}"
                reading = (
                    f"{winner} is almost stochastically better"
                    if result.epsilon_min < ASO_THRESHOLD
                    else f"no evidence that {winner} is better"
                ) + f" (ε_min below {ASO_THRESHOLD} counts)"
            rows.append(
                [
                    f"Almost Stochastic Order, {winner} over {loser} "
                    f"({result.confidence:.4g} confidence)",
                    shown,
                    reading,
                ]
            )
        welch = comparison.welch
        rows.append(
            [
                "Welch's t-test",
                f"difference {number(welch.difference)}, {level} CI "
                f"{interval(welch.low, welch.high)}, {p_value(welch.p_value)}",
                _significance(welch.p_value, "the means") + "; for reference, not the verdict",
            ]
        )
        rank = comparison.mann_whitney
        if rank is not None:
            rows.append(
                [
                    f"Mann-Whitney U ({rank.method})",
                    f"U = {number(rank.statistic)}, {p_value(rank.p_value)}",
                    _significance(rank.p_value, "the distributions"),
                ]
            )
        claim = comparison.tests.claim_rank
        if claim is not None and comparison.tests.untested is None:
            rows.append(_claim_row(report, f"Mann-Whitney U ({claim.method})", claim.p_value))
        size = comparison.effect_size
        rows.append(
            [
                "Effect size",
                f"Vargha-Delaney A = {size.vargha_delaney_a:.3f}, "
                f"Cliff's δ = {size.cliffs_delta:.3f}",
                f"{size.magnitude}: a run of {first} beats one of {second} "
                f"{size.vargha_delaney_a:.0%} of the time",
            ]
        )
        return rows
    bootstrap = comparison.paired_bootstrap
    rows.append(
        [
            "Paired bootstrap of the test set (BCa)",
            f"difference {number(bootstrap.difference)}, {level} CI "
            f"{interval(bootstrap.low, bootstrap.high)}, {p_value(bootstrap.p_value)}",
            "the interval excludes 0"
            if bootstrap.low > 0 or bootstrap.high < 0
            else "the interval includes 0",
        ]
    )
    permutation = comparison.permutation
    rows.append(
        [
            "Permutation test (paired approximate randomization)",
            f"{p_value(permutation.p_value)}",
            _significance(permutation.p_value, "the systems"),
        ]
    )
    if comparison.claim_permutation is not None:
        rows.append(_claim_row(report, "Permutation test", comparison.claim_permutation.p_value))
    if comparison.wilcoxon is not None:
        signed = comparison.wilcoxon
        rows.append(
            [
                "Wilcoxon signed-rank",
                f"W = {number(signed.statistic)}, {p_value(signed.p_value)}",
                _significance(signed.p_value, "the paired scores"),
            ]
        )
    return rows


def _claim_row(report: Report, test: str, p: float) -> list[str]:
    """The one-sided test of the claim, which decides the verdict where a claim was made."""
    claimed = report.claimed_better
    other = next(name for name in report.names if name != claimed)
    reading = (
        f"supports the claim that {claimed} beats {other} (p < {ALPHA})"
        if p < ALPHA
        else f"does not support the claim that {claimed} beats {other}"
    )
    return [f"{test}, one-sided: {claimed} better, as claimed", p_value(p), reading]


def _significance(p: float, what: str) -> str:
    return f"{what} differ (p < {ALPHA})" if p < ALPHA else f"no clear difference between {what}"


def expected_max_table(report: Report) -> list[list[str]]:
    """Expected best score (± its standard deviation) of n random-search trials, per system;
    empty for per-example scores."""
    curves = report.comparison.expected_max
    if curves is None:
        return []
    longest = max(int(curve.budgets[-1]) for curve in curves)
    budgets = [budget for budget in BUDGETS if budget < longest] + [longest]
    rows = [["Trials", *report.names]]
    for budget in budgets:
        row = [f"{budget:,}"]
        for curve in curves:
            at = np.searchsorted(curve.budgets, budget)
            if at < curve.budgets.size and curve.budgets[at] == budget:
                row.append(f"{number(curve.mean[at])} ± {number(curve.std[at])}")
            else:
                row.append("—")
        rows.append(row)
    return rows


def expected_max_note(report: Report) -> str:
    if report.scores.dev is not None:
        return (
            "The expected test score of the run that a random search of n trials would pick on "
            "its dev score (Dodge et al. 2019), ± one standard deviation."
        )
    return (
        "Best of n on the uploaded scores (optimistic): the expected best of n runs drawn from "
        "these, ± one standard deviation. If these are test scores, picking the best on them is "
        "what Bethard (2022) warns against; add a dev column and the best run is picked on dev "
        "and reported on test, as Dodge et al. (2019) do."
    )
