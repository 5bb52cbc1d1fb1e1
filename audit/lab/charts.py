"""The report's charts, drawn from a stored report (see `audit.lab.reports`)."""

from __future__ import annotations

from textwrap import fill
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from audit.documents import PALETTE, RISKY_COLOUR, SAFE_COLOUR, figure

# Above this many scores a distribution is drawn as a violin; below it every run is a dot.
DOTS_UP_TO = 64


def chart_names(report: dict[str, Any]) -> list[str]:
    """The charts a report has, as the chart view names them."""
    return [f"distributions-{i}" for i in range(len(report["setups"]))] + ["expected-max"]


def chart(report: dict[str, Any], name: str) -> Figure:
    """The named chart of `report`; KeyError for a name it does not have."""
    if name == "expected-max":
        return expected_max_chart(report)
    prefix, _, number = name.rpartition("-")
    if prefix != "distributions" or not number.isdigit() or int(number) >= len(report["setups"]):
        raise KeyError(name)
    return distributions_chart(report["setups"][int(number)], report["claim"]["claimed_score"])


def distributions_chart(setup_report: dict[str, Any], claimed: float) -> Figure:
    """The four distributions side by side, with the claimed score across them."""
    fig = figure(7.5, 3.8)
    ax = fig.add_subplot()
    # A fixed generator: the same report draws the same picture.
    jitter = np.random.default_rng(0)
    labels = []
    for position, distribution in enumerate(setup_report["distributions"]):
        scores = np.asarray(distribution["scores"])
        colour = RISKY_COLOUR if distribution["risky"] else SAFE_COLOUR
        if scores.size > DOTS_UP_TO and np.ptp(scores) > 0:
            parts = ax.violinplot(scores, positions=[position], widths=0.7, showextrema=False)
            for body in parts["bodies"]:
                body.set(facecolor=colour, edgecolor=colour, alpha=0.35)
        else:
            offsets = jitter.uniform(-0.18, 0.18, scores.size)
            ax.scatter(position + offsets, scores, s=16, color=colour, alpha=0.8, linewidths=0)
        ci = distribution["ci"]
        ax.errorbar(
            position + 0.32,
            distribution["mean"],
            yerr=[[distribution["mean"] - ci["low"]], [ci["high"] - distribution["mean"]]],
            fmt="o",
            color="black",
            markersize=3,
            capsize=3,
            linewidth=1,
        )
        labels.append(
            f"{fill(distribution['title'], 22)}\nn = {distribution['n']}, "
            f"claim above {distribution['claim_percentile']:.0f}%"
        )
    ax.axhline(claimed, color="black", linestyle="--", linewidth=1, label=f"claimed {claimed:.4g}")
    ax.set_xticks(range(len(labels)), labels, fontsize=7.5)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel("test score")
    ax.set_title(f"{setup_report['setup']}: where the claimed score falls", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def expected_max_chart(report: dict[str, Any]) -> Figure:
    """Expected best dev score against the number of runs tried (Dodge et al. 2019)."""
    fig = figure(7.0, 3.6)
    ax = fig.add_subplot()
    for colour, setup_report in zip(PALETTE, report["setups"], strict=False):
        for kind, style, what in (
            ("hyperparameter_search", "-", "all hyperparameters"),
            ("seed_only", "--", "seed only"),
        ):
            curve = setup_report["expected_max_dev"][kind]
            budgets, mean, std = (np.asarray(curve[key]) for key in ("budgets", "mean", "std"))
            ax.plot(budgets, mean, style, color=colour, label=f"{setup_report['setup']}, {what}")
            ax.fill_between(budgets, mean - std, mean + std, color=colour, alpha=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("runs tried")
    ax.set_ylabel("expected best dev score")
    ax.set_title("Expected maximum dev score (±1 sd) by budget", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig
