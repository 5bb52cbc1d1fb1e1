"""The comparison report's charts, as matplotlib figures (see `audit.documents`): the two
systems' distributions, their intervals and the difference's, and expected maximum performance."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from audit.compare.report import ManyReport, Report
from audit.documents import PALETTE, figure
from audit.stats.verdict import RunsVerdict

COLOURS = PALETTE[:2]
NAME_LENGTH = 28
# Fixed jitter, so that the same scores always draw the same chart.
JITTER_SEED = 0
# A chart draws at most this many points per system (evenly spaced quantiles beyond): an SVG of
# every one of 45,000 runs would weigh megabytes and show nothing more.
MAX_POINTS = 400


def distributions_chart(report: Report) -> Figure:
    """Per-run scores: violins with every run, and ECDFs. Per-example scores: histograms and
    ECDFs; for correctness, how many examples each system alone gets right."""
    scores = report.scores
    names = _short(report.names)
    if scores.statistic == "accuracy":
        fig = figure(7.0, 3.2)
        _agreement(fig.add_subplot(), scores.a, scores.b, names)
        return fig
    fig = figure(9.0, 3.6)
    left, right = fig.subplots(1, 2)
    if scores.unit == "run":
        _violins(left, [scores.a, scores.b], names)
    else:
        _histograms(left, [scores.a, scores.b], names)
    _ecdfs(right, [scores.a, scores.b], names, "per run" if scores.unit == "run" else "")
    return fig


def intervals_chart(report: Report) -> Figure:
    """Each system's statistic with its interval, and the difference with its interval."""
    comparison = report.comparison
    names = _short(report.names)
    fig = figure(9.0, 2.4)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1])
    for row, (system, colour) in enumerate(zip(comparison.systems, COLOURS, strict=True)):
        left.errorbar(
            system.estimate,
            row,
            xerr=_error_bar(system.estimate, system.low, system.high),
            fmt="o",
            color=colour,
            capsize=4,
            linewidth=2,
        )
    left.set_yticks([0, 1], names)
    left.set_ylim(1.6, -0.6)
    left.set_xlabel(f"{report.statistic_label} with {report.confidence_label} CI")
    if comparison.unit == "run":
        difference, label = comparison.welch, "Welch"
    else:
        difference, label = comparison.paired_bootstrap, "paired bootstrap"
    right.errorbar(
        difference.difference,
        0,
        xerr=_error_bar(difference.difference, difference.low, difference.high),
        fmt="D",
        color="#000000",
        capsize=4,
        linewidth=2,
    )
    right.axvline(0, color="#888888", linestyle="--", linewidth=1)
    right.set_yticks([0], [f"{names[0]} − {names[1]}"])
    right.set_ylim(0.6, -0.6)
    right.set_xlabel(f"Difference with {report.confidence_label} CI ({label})")
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.grid(axis="x", alpha=0.3)
        _tidy(ax)
    return fig


def expected_max_chart(report: Report) -> Figure | None:
    """Expected best score of n random-search trials (Dodge et al. 2019), ± one standard
    deviation; None for per-example scores."""
    curves = report.comparison.expected_max
    if curves is None:
        return None
    fig = figure(7.0, 3.6)
    ax = fig.add_subplot()
    for curve, name, colour in zip(curves, _short(report.names), COLOURS, strict=True):
        ax.plot(curve.budgets, curve.mean, color=colour, linewidth=2, label=name)
        ax.fill_between(
            curve.budgets, curve.mean - curve.std, curve.mean + curve.std, color=colour, alpha=0.2
        )
    ax.set_xlabel("Trials (random-search budget)")
    ax.set_ylabel("Expected best score ± SD")
    ax.legend(frameon=False, loc="lower right")
    ax.grid(alpha=0.3)
    _tidy(ax)
    return fig


def many_distributions_chart(report: ManyReport, verdict: RunsVerdict) -> Figure:
    """Runs of every system on one data set, best mean first."""
    samples = report.scores.datasets[verdict.dataset] if verdict.dataset else report.scores.samples
    fig = figure(min(12.0, 2.0 + 1.3 * len(verdict.ranking)), 3.6)
    ax = fig.add_subplot()
    _violins(ax, [samples[name] for name in verdict.ranking], _short(verdict.ranking))
    return fig


def _thinned(sample: np.ndarray) -> np.ndarray:
    """The sample, or MAX_POINTS of its quantiles when it is larger."""
    if sample.size <= MAX_POINTS:
        return sample
    return np.quantile(sample, np.linspace(0, 1, MAX_POINTS))


def _violins(ax: Axes, samples: list[np.ndarray], names: list[str]) -> None:
    positions = list(range(len(samples)))
    colours = [PALETTE[i % len(PALETTE)] for i in positions]
    parts = ax.violinplot(samples, positions=positions, showextrema=False, widths=0.7)
    jitter = np.random.default_rng(JITTER_SEED)
    for position, (body, sample, colour) in enumerate(
        zip(parts["bodies"], samples, colours, strict=True)
    ):
        body.set_facecolor(colour)
        body.set_alpha(0.25)
        shown = _thinned(sample)
        spread = jitter.uniform(-0.08, 0.08, shown.size)
        ax.scatter(position + spread, shown, s=18, color=colour, zorder=3)
        ax.hlines(sample.mean(), position - 0.25, position + 0.25, color=colour, linewidth=2)
    ax.set_xticks(positions, names)
    ax.set_ylabel("Score per run (line: mean)")
    _tidy(ax)


def _histograms(ax: Axes, samples: list[np.ndarray], names: list[str]) -> None:
    pooled = np.concatenate(samples)
    edges = np.histogram_bin_edges(pooled, bins=int(np.clip(np.sqrt(pooled.size), 10, 40)))
    for sample, name, colour in zip(samples, names, COLOURS, strict=True):
        ax.hist(sample, bins=edges, color=colour, histtype="step", linewidth=1.8, label=name)
    ax.set_xlabel("Score per example")
    ax.set_ylabel("Examples")
    ax.legend(frameon=False)
    _tidy(ax)


def _ecdfs(ax: Axes, samples: list[np.ndarray], names: list[str], unit: str) -> None:
    for sample, name, colour in zip(samples, names, COLOURS, strict=True):
        values = np.sort(sample)
        shares = np.arange(1, values.size + 1) / values.size
        if values.size > MAX_POINTS:
            picked = np.linspace(0, values.size - 1, MAX_POINTS).round().astype(np.int64)
            values, shares = values[picked], shares[picked]
        ax.step(values, shares, where="post", color=colour, linewidth=2, label=name)
    ax.set_xlabel(f"Score {unit}".strip())
    ax.set_ylabel("Share at or below (ECDF)")
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    _tidy(ax)


def _agreement(ax: Axes, a: np.ndarray, b: np.ndarray, names: list[str]) -> None:
    right_a, right_b = a == 1, b == 1
    outcomes = {
        "both right": np.sum(right_a & right_b),
        f"only {names[0]} right": np.sum(right_a & ~right_b),
        f"only {names[1]} right": np.sum(~right_a & right_b),
        "both wrong": np.sum(~right_a & ~right_b),
    }
    colours = ["#999999", COLOURS[0], COLOURS[1], "#444444"]
    bars = ax.barh(list(outcomes), list(outcomes.values()), color=colours)
    ax.bar_label(bars, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel("Examples (only the ones the systems disagree on decide the comparison)")
    _tidy(ax)


def _error_bar(estimate: float, low: float, high: float) -> list[list[float]]:
    """matplotlib's [[below], [above]], zero where the interval has no width or no value (a
    t-interval of constant scores) or rounding put the estimate a hair outside it."""
    below, above = np.nan_to_num([estimate - low, high - estimate])
    return [[max(0.0, below)], [max(0.0, above)]]


def _tidy(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _short(names: tuple[str, ...] | list[str]) -> list[str]:
    return [name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…" for name in names]
