"""A comparison report: the figures of `compare_systems` for two systems' scores, and the words
and tables that the page and the PDF both show, so that they never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from audit.compare.scores_csv import Scores
from audit.stats import Comparison, compare_systems
from audit.stats.compare import ASO_THRESHOLD

# Fixed, so that the same scores always give the same report, and its JSON and PDF the figures
# the page showed.
REPORT_SEED = 2022
RESAMPLES = 10_000
ASO_BOOTSTRAP = 1000
# Budgets (numbers of trials) that the expected-maximum table lists, where the runs reach them.
BUDGETS = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True, eq=False)
class Report:
    scores: Scores
    comparison: Comparison

    @property
    def names(self) -> tuple[str, str]:
        return self.scores.names

    @property
    def statistic_label(self) -> str:
        return "Accuracy" if self.comparison.statistic == "accuracy" else "Mean"

    @property
    def confidence_label(self) -> str:
        return f"{self.comparison.confidence:.0%}"


def build_report(scores: Scores) -> Report:
    comparison = compare_systems(
        scores.a,
        scores.b,
        unit=scores.unit,
        seed_only=scores.seed_only,
        statistic=scores.statistic,
        names=scores.names,
        n_resamples=RESAMPLES,
        n_bootstrap=ASO_BOOTSTRAP,
        seed=REPORT_SEED,
    )
    return Report(scores, comparison)


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
            "notes": scores.notes,
        },
        "seed": REPORT_SEED,
        "comparison": report.comparison.to_dict(),
    }


def method_note(report: Report) -> str:
    """How the figures were computed, so that anyone can redo them."""
    resampled = f"Bootstrap intervals and tests use {RESAMPLES:,} resamples"
    if report.comparison.unit == "run":
        resampled += f" (ASO {ASO_BOOTSTRAP:,})"
    return (
        f"{resampled}, drawn from seed {REPORT_SEED}: the same scores always give the same "
        "report. Intervals are BCa bootstrap intervals (Efron 1987)."
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
        f"{report.confidence_label} CI (BCa bootstrap)",
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
        for winner, loser, result in (
            (first, second, comparison.aso),
            (second, first, comparison.aso_reverse),
        ):
            reading = (
                f"{winner} is almost stochastically better"
                if result.epsilon_min < ASO_THRESHOLD
                else f"no evidence that {winner} is better"
            )
            rows.append(
                [
                    f"Almost Stochastic Order, {winner} over {loser}",
                    f"ε_min = {number(result.epsilon_min)}",
                    f"{reading} (ε_min below {ASO_THRESHOLD} counts)",
                ]
            )
        welch = comparison.welch
        rows.append(
            [
                "Welch's t-test",
                f"difference {number(welch.difference)}, {level} CI "
                f"{interval(welch.low, welch.high)}, {p_value(welch.p_value)}",
                _significance(welch.p_value, "the means"),
            ]
        )
        rank = comparison.mann_whitney
        rows.append(
            [
                "Mann-Whitney U",
                f"U = {number(rank.statistic)}, {p_value(rank.p_value)}",
                _significance(rank.p_value, "the distributions"),
            ]
        )
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


def _significance(p: float, what: str) -> str:
    return f"{what} differ (p < 0.05)" if p < 0.05 else f"no clear difference between {what}"


def expected_max_table(report: Report) -> list[list[str]]:
    """Expected best score (± its standard deviation) of n random-search trials, per system;
    empty for per-example scores."""
    curves = report.comparison.expected_max
    if curves is None:
        return []
    longest = max(curve.budgets.size for curve in curves)
    budgets = [budget for budget in BUDGETS if budget < longest] + [longest]
    rows = [["Trials", *report.names]]
    for budget in budgets:
        row = [str(budget)]
        for curve in curves:
            if budget <= curve.budgets.size:
                at = budget - 1
                row.append(f"{number(curve.mean[at])} ± {number(curve.std[at])}")
            else:
                row.append("—")
        rows.append(row)
    return rows
