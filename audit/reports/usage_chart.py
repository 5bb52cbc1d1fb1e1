"""Seed uses per year, as Bethard's Figure 1 (each year a safe and a risky bar, stacked by
category), and the share of papers with a risky use per year with its binomial interval."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter
from scipy.stats import binomtest

from audit.documents import PALETTE, RISKY_COLOUR, figure
from audit.reports.basis import Basis, Selection
from audit.reports.uses import PaperUses, State
from audit.taxonomy import CATEGORIES, Group, Label

# Okabe-Ito hues: blues and green for the safe uses, vermillion and orange for the risky ones;
# the risky bars are hatched too, so the two groups differ without colour.
CATEGORY_COLOURS = {
    Label.MODEL_SELECTION.value: PALETTE[0],
    Label.ENSEMBLE.value: PALETTE[5],
    Label.SENSITIVITY.value: PALETTE[2],
    Label.FIXED_SEED.value: PALETTE[3],
    Label.PERFORMANCE_COMPARISON.value: PALETTE[1],
}
RISKY_HATCH = "///"
CONFIDENCE = 0.95
USE_CATEGORIES = [c for c in CATEGORIES if c.group != Group.NONE]


@dataclass(frozen=True)
class Share:
    """Papers with a risky use among `papers`, with its Wilson interval (None for no papers)."""

    papers: int
    risky: int
    low: float | None
    high: float | None

    @property
    def value(self) -> float | None:
        return self.risky / self.papers if self.papers else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value:.0%}"

    @property
    def interval(self) -> str:
        return "—" if self.low is None else f"{self.low:.0%}–{self.high:.0%}"


def share(risky: int, papers: int) -> Share:
    if not papers:
        return Share(0, 0, None, None)
    # Wilson's interval keeps its coverage with the handful of papers a year may have.
    interval = binomtest(risky, papers).proportion_ci(CONFIDENCE, method="wilson")
    return Share(papers, risky, float(interval.low), float(interval.high))


@dataclass(frozen=True)
class Year:
    year: int
    counts: dict[str, int]  # category -> papers counted under it
    risky: Share

    @property
    def per_category(self) -> list[int]:
        """The counts in the taxonomy's order, for tables."""
        return [self.counts[c.label.value] for c in USE_CATEGORIES]


@dataclass(frozen=True)
class UsageByYear:
    years: tuple[Year, ...]  # every year from the first to the last, years without papers too
    overall: Share  # over the years shown
    undated: int  # counted papers without a year, left out
    several_per_paper: bool


def usage_by_year(uses: Sequence[PaperUses], basis: Basis) -> UsageByYear:
    counted = [paper for paper in uses if paper.state == State.COUNTED]
    dated = [paper for paper in counted if paper.paper.year]
    found = sorted({paper.paper.year for paper in dated})
    years = []
    for year in range(found[0], found[-1] + 1) if found else ():
        papers = [paper for paper in dated if paper.paper.year == year]
        counts = {
            c.label.value: sum(1 for paper in papers if c.label in paper.counted)
            for c in USE_CATEGORIES
        }
        years.append(Year(year, counts, share(_risky(papers), len(papers))))
    return UsageByYear(
        years=tuple(years),
        overall=share(_risky(dated), len(dated)),
        undated=len(counted) - len(dated),
        several_per_paper=basis == Basis.FINAL,
    )


def _risky(papers: Sequence[PaperUses]) -> int:
    risky = {c.label.value for c in USE_CATEGORIES if c.group == Group.RISKY}
    return sum(1 for paper in papers if risky & set(paper.counted))


def usage_figure(usage: UsageByYear, selection: Selection) -> Figure:
    fig = figure(9.0, 7.0)
    subtitle = f"{selection.scope}; counted by {selection.basis.label.lower()} ({selection.source})"
    if usage.undated:
        subtitle += f"; {usage.undated} papers without a year left out"
    fig.suptitle(
        "Uses of neural network random seeds by year\n" + textwrap.fill(subtitle, 100),
        fontsize=11,
    )
    if not usage.years:
        fig.text(0.5, 0.5, "No counted paper with a year in this selection.", ha="center")
        return fig
    bars, shares = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    _draw_bars(bars, usage)
    _draw_shares(shares, usage)
    return fig


def _draw_bars(ax, usage: UsageByYear) -> None:
    x = np.arange(len(usage.years))
    width = 0.38
    handles = []
    for group, offset in ((Group.SAFE, -0.2), (Group.RISKY, 0.2)):
        # A header entry per group: the legend reads as two labelled columns.
        handles.append(Patch(visible=False, label=f"{group.label} (left bar)"))
        if group == Group.RISKY:
            handles[-1].set_label(f"{group.label} (right bar,\nhatched)")
        stacked = np.zeros(len(x))
        for category in (c for c in USE_CATEGORIES if c.group == group):
            heights = np.array([year.counts[category.label.value] for year in usage.years])
            handles.append(
                ax.bar(
                    x + offset, heights, width, bottom=stacked,
                    color=CATEGORY_COLOURS[category.label.value], edgecolor="white",
                    linewidth=0.8, hatch=RISKY_HATCH if group == Group.RISKY else None,
                    label=category.name,
                )
            )  # fmt: skip
            stacked += heights
        for position, total in zip(x + offset, stacked, strict=True):
            if total:
                ax.annotate(
                    f"{total:.0f}", (position, total), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8,
                )  # fmt: skip
    ax.set_ylabel("Uses (papers per category)" if usage.several_per_paper else "Papers")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    legend = ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5,
        frameon=False, handlelength=1.6,
    )  # fmt: skip
    for text in legend.get_texts():
        if "bar" in text.get_text():
            text.set_fontweight("bold")


def _draw_shares(ax, usage: UsageByYear) -> None:
    x = np.arange(len(usage.years))
    overall = usage.overall
    ax.axhspan(
        overall.low * 100, overall.high * 100, color=RISKY_COLOUR, alpha=0.12, linewidth=0,
        label=f"All years: {overall.value:.0%}\n({CONFIDENCE:.0%} interval "
        f"{overall.low:.0%}–{overall.high:.0%})",
    )  # fmt: skip
    ax.axhline(overall.value * 100, color=RISKY_COLOUR, linewidth=1, alpha=0.6)
    ax.axhline(50, color="#777777", linewidth=0.8, linestyle=":", label="Half of the papers")
    dated = [(i, year.risky) for i, year in enumerate(usage.years) if year.risky.papers]
    points = np.array([s.value for _, s in dated]) * 100
    errors = np.array([[s.value - s.low, s.high - s.value] for _, s in dated]).T * 100
    ax.errorbar(
        [i for i, _ in dated], points, yerr=errors, fmt="o", color=RISKY_COLOUR, capsize=4,
        markersize=6, linewidth=1.2,
        label=f"Each year, with its\n{CONFIDENCE:.0%} Wilson interval",
    )  # fmt: skip
    # A little room beyond 0% and 100%: a year at either end keeps its whole marker.
    ax.set_ylim(-5, 105)
    ax.set_yticks(range(0, 101, 20))
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set_ylabel("Papers with a risky use")
    ax.set_xticks(x, [f"{year.year}\nn = {year.risky.papers}" for year in usage.years])
    ax.set_xlabel("Year of publication (n: papers counted)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5, frameon=False)
