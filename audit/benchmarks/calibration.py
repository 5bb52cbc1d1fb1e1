"""Calibration of the verdict and the intervals, by simulation (`audit.stats.calibration`).

- false_winner: for n = 2, 3, 5, 10, 20 runs per system, both systems drawn from one normal
  distribution, the share of data sets in which the verdict names a winner (should be at most
  0.05; refusing, "too few runs to tell", is not a false winner);
- coverage: for each interval method and size, the share of "95%" intervals that hold the truth
  (`shown: false` methods are listed to show why pages no longer use them);
- false_winner_claim: the same data sets with one system claimed better before the scores were
  seen (the verdict then tests one-sided): the share in which the claim is supported;
- power: the share of data sets in which the verdict supports the true claim that the system
  `--effect` SDs better is better; power_undirected: the share in which the undirected verdict
  (two-sided) names that system the winner, on the same data sets.
Takes a few minutes on two cores at the default sizes; `--quick` is about ten times smaller.
"""

from __future__ import annotations

import time
from typing import Any

from audit.stats import calibration

QUICK = {"datasets": 300, "interval_datasets": 300, "resamples": 1000, "aso_bootstrap": 200}
POWER_RUNS = (5, 10, 20)


def add_arguments(parser: Any) -> None:
    parser.add_argument("--datasets", type=int, default=2000, help="data sets per verdict figure")
    parser.add_argument(
        "--interval-datasets", type=int, default=2000, help="data sets per coverage figure"
    )
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--aso-bootstrap", type=int, default=1000, help="ASO bootstrap samples")
    parser.add_argument("--effect", type=float, default=1.0, help="power at this shift, in SDs")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--quick", action="store_true", help="300 data sets per figure, smaller resamples"
    )


def run(options: dict[str, Any]) -> dict[str, Any]:
    sizes = {
        "datasets": options["datasets"],
        "interval_datasets": options["interval_datasets"],
        "resamples": options["resamples"],
        "aso_bootstrap": options["aso_bootstrap"],
    }
    if options["quick"]:
        sizes = QUICK
    seed, started = options["seed"], time.perf_counter()
    verdict_sizes = (sizes["datasets"], seed, sizes["aso_bootstrap"])
    false_winner, false_winner_claim, power, power_undirected = {}, {}, {}, {}
    for n in calibration.RUN_COUNTS:
        false_winner[str(n)] = calibration.false_winner_rate(n, *verdict_sizes)
        false_winner_claim[str(n)] = calibration.false_winner_rate(n, *verdict_sizes, claim=True)
    for n in POWER_RUNS:
        power[str(n)] = calibration.power(n, options["effect"], *verdict_sizes, claim=True)
        power_undirected[str(n)] = calibration.power(n, options["effect"], *verdict_sizes)
    coverage = {
        method: {
            str(n): calibration.coverage(
                method, n, sizes["interval_datasets"], seed, sizes["resamples"]
            )
            for n in interval.sizes
        }
        for method, interval in calibration.INTERVALS.items()
    }
    return {
        "false_winner": false_winner,
        "false_winner_claim": false_winner_claim,
        "coverage": coverage,
        "power": {"effect_sd": options["effect"], "test": "one-sided claim", "runs": power},
        "power_undirected": {
            "effect_sd": options["effect"],
            "test": "two-sided",
            "runs": power_undirected,
        },
        "shown": {method: interval.shown for method, interval in calibration.INTERVALS.items()},
        "sizes": sizes,
        "seconds": time.perf_counter() - started,
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"Verdict under the null (share of {result['sizes']['datasets']:,} data sets naming a "
        "winner; at most 0.05 is right):",
    ]
    lines += [
        f"  n = {n:>2} runs each: {rate:.3f} undirected, "
        f"{result['false_winner_claim'][n]:.3f} claims supported"
        for n, rate in result["false_winner"].items()
    ]
    lines.append(
        f"Power at {result['power']['effect_sd']:g} SD (claims in the true direction, one-sided; "
        "undirected, two-sided):"
    )
    lines += [
        f"  n = {n:>2} runs each: {rate:.3f} claims, "
        f"{result['power_undirected']['runs'][n]:.3f} undirected"
        for n, rate in result["power"]["runs"].items()
    ]
    lines.append(
        f"Coverage of 95% intervals ({result['sizes']['interval_datasets']:,} data sets each):"
    )
    for method, figures in result["coverage"].items():
        shown = "shown" if result["shown"][method] else "not shown on any page"
        cells = ", ".join(f"n={n}: {value:.3f}" for n, value in figures.items())
        lines.append(f"  {method} ({shown}): {cells}")
    lines.append(f"{result['seconds']:.0f} s")
    return "\n".join(lines)
