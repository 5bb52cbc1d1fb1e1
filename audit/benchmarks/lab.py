"""Lab training: runs/second one after another vs together (torch.func vmap) on this device.

The K runs share the setup's default shape and differ in seed, learning rate and dropout, as the
runs of a seed-only or fixed-shape search do. Each mode gets one warm-up call first, so one-time
costs (CUDA context, first vmap trace) are not counted; then each is timed `--repeats` times and
the fastest counts, so that other work on the machine does not count against either. The
sequential rate is measured on at most `--sequential-runs` of the K runs: it does not depend on
K, and 256 runs in a row are long. At K = 1 both modes run the same loop (a group of one is
trained the ordinary way), so that row shows the noise of the measurement.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from audit.lab.setups import get_setup
from audit.lab.setups.base import Setup
from audit.lab.space import Config
from audit.lab.training import PER_RUN, pick_device, train_run, train_together


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--setup", default="digits-mlp", help="lab setup name (default digits-mlp)")
    parser.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda if present")
    parser.add_argument(
        "--k", type=int, nargs="+", default=[1, 16, 64, 256], help="numbers of runs"
    )
    parser.add_argument("--epochs", type=int, help="override the setup's default epochs")
    parser.add_argument(
        "--sequential-runs",
        type=int,
        default=16,
        help="time the sequential loop on at most this many runs (default 16)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="time each mode this often, keep the fastest"
    )
    parser.add_argument(
        "--deterministic", action="store_true", help="torch.use_deterministic_algorithms(True)"
    )


def run(options: dict) -> dict:
    setup = get_setup(options["setup"])
    device = str(pick_device(options["device"]))
    deterministic, repeats = options["deterministic"], options["repeats"]
    varied = [name for name in setup.space if name in PER_RUN]
    configs = setup.sample_configs(max(options["k"]), seed=0, vary=varied)
    if options["epochs"]:
        configs = [{**config, "epochs": options["epochs"]} for config in configs]
    warm_up = train_run(setup, configs[0], device=device, deterministic=deterministic)
    train_together(setup, configs[:2], device=device, deterministic=deterministic)
    rows = []
    for k in options["k"]:
        timed = min(k, options["sequential_runs"])
        one_by_one = partial(_train_each, setup, configs[:timed], device, deterministic)
        together = partial(
            train_together, setup, configs[:k], device=device, deterministic=deterministic
        )
        sequential_rate = _best_rate(one_by_one, timed, repeats)
        together_rate = _best_rate(together, k, repeats)
        rows.append(
            {
                "k": k,
                "sequential_runs_timed": timed,
                "sequential_runs_per_second": sequential_rate,
                "together_runs_per_second": together_rate,
                "speedup": together_rate / sequential_rate,
            }
        )
    return {
        "setup": setup.name,
        "device": device,
        "device_name": warm_up.device_name,
        "torch_version": warm_up.torch_version,
        "deterministic": deterministic,
        "shape": {name: value for name, value in configs[0].items() if name not in varied},
        "rows": rows,
    }


def render(result: dict) -> str:
    shape = ", ".join(f"{name}={value}" for name, value in result["shape"].items())
    lines = [
        f"lab setup {result['setup']} ({shape}) on {result['device']} ({result['device_name']}), "
        f"torch {result['torch_version']}, deterministic={result['deterministic']}",
        f"{'K':>5}  {'sequential runs/s':>18}  {'together runs/s':>16}  {'ratio':>7}",
    ]
    for row in result["rows"]:
        sequential = f"{row['sequential_runs_per_second']:.2f} ({row['sequential_runs_timed']})"
        lines.append(
            f"{row['k']:>5}  {sequential:>18}  {row['together_runs_per_second']:>16.2f}"
            f"  {row['speedup']:>6.1f}x"
        )
    lines.append("(in brackets: how many runs the sequential rate was timed on)")
    return "\n".join(lines)


def _train_each(setup: Setup, configs: list[Config], device: str, deterministic: bool) -> None:
    for config in configs:
        train_run(setup, config, device=device, deterministic=deterministic)


def _best_rate(train: Callable[[], object], runs: int, repeats: int) -> float:
    """Runs per second of `train` (which trains `runs` runs), the fastest of `repeats` timings."""
    fastest = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        train()
        fastest = min(fastest, time.perf_counter() - started)
    return runs / fastest
