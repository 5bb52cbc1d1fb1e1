"""audit.stats against scipy, a Python loop and deepsig: same data, times and answers side by side.

Three comparisons, each on data drawn once from a fixed seed and given to both sides:
- `bootstrap_ci` against `scipy.stats.bootstrap` (mean of normal scores), three ways: as most
  code calls it, with its defaults (`batch=None`, which materializes every resample at once and
  is skipped where that would not fit in half the free memory: 16 GB at n = 100,000, 170 GB for
  BCa's jackknife); given the `batch` it is fastest with here (large batches spend their time
  faulting in fresh pages), both with `rng=np.random.default_rng(seed)` as its documentation
  recommends; and with that batch and the legacy `random_state=seed`, which makes it draw from a
  `RandomState` two to three times slower.
- `paired_bootstrap` against a plain loop over resamples, as papers' scripts and deepsig do it.
- `aso` against `deepsig.aso` with the same number of bootstrap samples; ours in deepsig mode is
  the one compared, ours in its default mode is shown beside it.
Answers "agree" when they differ by less than about four Monte-Carlo standard errors. With
`--repeat N` each side runs N times in turn (ours, theirs, ours, ...) and the times are medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

# What --quick runs instead of the defaults, which are the sizes.
QUICK = {
    "sizes": "10000",
    "paired_size": 2000,
    "aso_sizes": "20",
    "aso_bootstrap": 200,
}
# scipy's arrays stay near this many elements per batch (1 MiB of int64 indices). Measured here
# with rng=Generator, in ns per resampled item: n = 100,000: 3.4 at 1 resample per batch, 4.2 at
# 16, 8.8 at 167 (16 Mi items); n = 10,000: 4.0 at 1, 3.3 at 13, 5.3 at 104, 8.5 at 1,677.
SCIPY_BATCH_ELEMENTS = 1 << 17
# Interval ends may differ by this many bootstrap standard errors: about 4 Monte-Carlo sd of a
# 2.5% quantile of 10,000 replicates on each side.
INTERVAL_AGREEMENT_SE = 0.15
CONFIDENCE = 0.95


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--sizes", default="10000,100000", help="n for bootstrap_ci, comma-separated"
    )
    parser.add_argument("--methods", default="percentile,bca", help="interval methods to time")
    parser.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples")
    parser.add_argument("--paired-size", type=int, default=10_000, help="examples, paired tests")
    parser.add_argument("--aso-sizes", default="20,200", help="scores per system for ASO")
    parser.add_argument("--aso-bootstrap", type=int, default=1000, help="ASO bootstrap samples")
    parser.add_argument("--device", default="cpu", help='"cpu" or a torch device, e.g. "cuda"')
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each side this many times; report medians"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="n = 10,000 only, 2,000 paired examples, ASO on 20 scores with 200 samples",
    )


def run(options: dict[str, Any]) -> dict[str, Any]:
    from importlib.metadata import version

    settings = {**options, **(QUICK if options.get("quick") else {})}
    device, seed, repeat = settings["device"], settings["seed"], settings["repeat"]
    _warm_up(device)
    return {
        "device": device,
        "device_name": _device_name(device),
        "cpus": _cpus(),
        "repeat": repeat,
        "versions": {name: version(name) for name in ("numpy", "scipy", "torch", "deepsig")},
        "bootstrap": [
            _bootstrap_row(n, method, settings["resamples"], device, seed, repeat)
            for n in _sizes(settings["sizes"])
            for method in settings["methods"].split(",")
        ],
        "paired": [
            _paired_row(kind, settings["paired_size"], settings["resamples"], device, seed, repeat)
            for kind in ("scores", "correctness")
        ],
        "aso": [
            _aso_row(n, settings["aso_bootstrap"], device, seed, repeat)
            for n in _sizes(settings["aso_sizes"])
        ],
    }


def render(result: dict[str, Any]) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in result["versions"].items())
    sections = [
        f"audit.stats on {result['device']} ({result['device_name']}, {result['cpus']} CPUs); "
        f"{versions}; times are medians of {result['repeat']} runs",
        "bootstrap_ci vs scipy.stats.bootstrap (mean of normal scores; scipy with its defaults, "
        "with its fastest batch, and with that batch and legacy random_state=int)\n"
        + _table(
            "n|method|resamples|ours s|scipy default s|faster|scipy batch|scipy s|faster"
            "|scipy legacy s|faster|ours CI|scipy CI|max Δ/SE|agree",
            [
                [_count(row["n"]), row["method"], _count(row["resamples"]),
                 *_default_times(row), str(row["scipy_batch"]),
                 *_times(row["ours_s"], row["scipy_s"], row["speedup"])[1:],
                 *_times(row["ours_s"], row["scipy_legacy_s"], row["speedup_legacy"])[1:],
                 _pair(row["ours"]), _pair(row["scipy"]), f"{row['max_difference_se']:.3f}",
                 _yes(row["agree"])]
                for row in result["bootstrap"]
            ],
        ),
        "paired_bootstrap vs a Python loop over resamples (difference of means, two-sided p)\n"
        + _table(
            "scores|n|resamples|ours s|loop s|faster|ours CI, p|loop CI, p|agree",
            [
                [row["kind"], _count(row["n"]), _count(row["resamples"]),
                 *_times(row["ours_s"], row["loop_s"], row["speedup"]),
                 _pair(row["ours"][:2]) + f" {row['ours'][2]:.4f}",
                 _pair(row["loop"][:2]) + f" {row['loop'][2]:.4f}", _yes(row["agree"])]
                for row in result["paired"]
            ],
        ),
        "aso vs deepsig.aso (epsilon_min; ours in deepsig mode, and in its default mode)\n"
        + _table(
            "n per system|bootstrap|ours s|deepsig s|faster|ours (deepsig)|deepsig|ours (default)"
            "|agree",
            [
                [_count(row["n"]), _count(row["n_bootstrap"]),
                 *_times(row["ours_s"], row["deepsig_s"], row["speedup"]),
                 f"{row['ours_deepsig_mode']:.4f}", f"{row['deepsig']:.4f}",
                 f"{row['ours_default_mode']:.4f}", _yes(row["agree"])]
                for row in result["aso"]
            ],
        ),
    ]  # fmt: skip
    return "\n\n".join(sections) + "\n"


def _bootstrap_row(
    n: int, method: str, resamples: int, device: str, seed: int, repeat: int
) -> dict[str, Any]:
    import numpy as np
    from scipy import stats

    from audit.stats import bootstrap_ci

    scores = np.random.default_rng(seed).normal(0.7, 0.1, n)
    batch = max(1, SCIPY_BATCH_ELEMENTS // n)

    def scipy_bootstrap(**options: Any) -> Any:
        return stats.bootstrap(
            (scores,),
            np.mean,
            n_resamples=resamples,
            confidence_level=CONFIDENCE,
            method="BCa" if method == "bca" else method,
            **options,
        )

    sides = [
        lambda: bootstrap_ci(scores, "mean", resamples, CONFIDENCE, method, seed, device),
        lambda: scipy_bootstrap(batch=batch, rng=np.random.default_rng(seed)),
        lambda: scipy_bootstrap(batch=batch, random_state=seed),
    ]
    needed = _scipy_default_bytes(n, resamples, method)
    runs_default = needed <= _available_memory() / 2
    if runs_default:
        sides.append(lambda: scipy_bootstrap(rng=np.random.default_rng(seed)))
    (ours, ours_s), (theirs, scipy_s), (_, legacy_s), *default = _side_by_side(sides, repeat)
    default_s = default[0][1] if runs_default else None
    interval = theirs.confidence_interval
    difference = max(abs(ours.low - interval.low), abs(ours.high - interval.high))
    return {
        "n": n,
        "method": method,
        "resamples": resamples,
        "ours_s": ours_s,
        "scipy_default_s": default_s,
        "speedup_default": default_s / ours_s if default_s else None,
        "scipy_default_gib": round(needed / 2**30, 1),
        "scipy_batch": batch,
        "scipy_s": scipy_s,
        "speedup": scipy_s / ours_s,
        "scipy_legacy_s": legacy_s,
        "speedup_legacy": legacy_s / ours_s,
        "ours": [ours.low, ours.high],
        "scipy": [float(interval.low), float(interval.high)],
        "max_difference_se": float(difference / theirs.standard_error),
        "agree": bool(difference <= INTERVAL_AGREEMENT_SE * theirs.standard_error),
    }


def _paired_row(
    kind: str, n: int, resamples: int, device: str, seed: int, repeat: int
) -> dict[str, Any]:
    import numpy as np

    from audit.stats import paired_bootstrap

    rng = np.random.default_rng(seed)
    difficulty = rng.random(n)
    a, b = difficulty + rng.normal(0.002, 0.08, n), difficulty
    statistic = "mean"
    if kind == "correctness":
        a, b, statistic = (a > 0.3).astype(float), (b > 0.3).astype(float), "accuracy"
    (ours, ours_s), ((low, high, p_value, standard_error), loop_s) = _side_by_side(
        [
            lambda: paired_bootstrap(
                a, b, statistic, resamples, CONFIDENCE, seed=seed, device=device
            ),
            lambda: _loop_paired_bootstrap(a, b, resamples, seed),
        ],
        repeat,
    )
    p_tolerance = 4 * np.sqrt(max(p_value * (1 - p_value), 1 / resamples) / resamples)
    agree = (
        max(abs(ours.low - low), abs(ours.high - high)) <= INTERVAL_AGREEMENT_SE * standard_error
        and abs(ours.p_value - p_value) <= p_tolerance
    )
    return {
        "kind": kind,
        "n": n,
        "resamples": resamples,
        "ours_s": ours_s,
        "loop_s": loop_s,
        "speedup": loop_s / ours_s,
        "ours": [ours.low, ours.high, ours.p_value],
        "loop": [low, high, p_value],
        "agree": bool(agree),
    }


def _loop_paired_bootstrap(
    a: Any, b: Any, resamples: int, seed: int
) -> tuple[float, float, float, float]:
    """The reference: one resample of example indices per loop iteration."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = len(a)
    observed = a.mean() - b.mean()
    differences = []
    for _ in range(resamples):
        picked = rng.integers(0, n, n)
        differences.append(a[picked].mean() - b[picked].mean())
    differences = np.array(differences)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(differences, [tail, 1 - tail])
    p_value = np.mean(np.abs(differences - observed) >= abs(observed))
    return float(low), float(high), float(p_value), float(differences.std(ddof=1))


def _aso_row(n: int, n_bootstrap: int, device: str, seed: int, repeat: int) -> dict[str, Any]:
    import warnings

    import numpy as np
    from deepsig import aso as deepsig_aso

    from audit.stats import aso

    rng = np.random.default_rng(seed)
    a, b = rng.normal(0.5, 0.05, n), rng.normal(0.48, 0.05, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deepsig's notices about deprecated arguments
        (ours, ours_s), (theirs, deepsig_s) = _side_by_side(
            [
                lambda: aso(a, b, CONFIDENCE, n_bootstrap, seed, mode="deepsig", device=device),
                lambda: deepsig_aso(
                    a,
                    b,
                    confidence_level=CONFIDENCE,
                    num_bootstrap_iterations=n_bootstrap,
                    seed=seed,
                    show_progress=False,
                ),
            ],
            repeat,
        )
    default = aso(a, b, CONFIDENCE, n_bootstrap, seed, device=device)
    # Each side's epsilon_min has a Monte-Carlo sd of about 0.25 / sqrt(n_bootstrap) here.
    tolerance = 4 * np.sqrt(2) * 0.25 / np.sqrt(n_bootstrap)
    return {
        "n": n,
        "n_bootstrap": n_bootstrap,
        "ours_s": ours_s,
        "deepsig_s": deepsig_s,
        "speedup": deepsig_s / ours_s,
        "ours_deepsig_mode": ours.epsilon_min,
        "deepsig": float(theirs),
        "ours_default_mode": default.epsilon_min,
        "agree": bool(abs(ours.epsilon_min - theirs) <= tolerance),
    }


def _scipy_default_bytes(n: int, resamples: int, method: str) -> int:
    """What `scipy.stats.bootstrap` holds at once without a batch: int64 indices and the float64
    values they gather for every resample, and for BCa the same for its n jackknife samples."""
    resampling = 2 * 8 * resamples * n
    return max(resampling, 17 * n * n) if method == "bca" else resampling


def _available_memory() -> int:
    with open("/proc/meminfo") as meminfo:
        fields = dict(line.split(":", 1) for line in meminfo)
    return int(fields["MemAvailable"].split()[0]) * 1024


def _side_by_side(sides: list[Callable[[], Any]], repeat: int) -> list[tuple[Any, float]]:
    """Each side's answer and median time over `repeat` runs taken in turn, so that a change in
    the machine's speed (other work on a shared machine) falls on every side alike."""
    answers: list[Any] = [None] * len(sides)
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(max(1, repeat)):
        for side, compute in enumerate(sides):
            start = time.perf_counter()
            answers[side] = compute()
            times[side].append(time.perf_counter() - start)
    return [
        (answer, statistics.median(taken)) for answer, taken in zip(answers, times, strict=True)
    ]


def _warm_up(device: str) -> None:
    """Start the device (a CUDA context takes seconds) before anything is timed."""
    from audit.stats import aso, bootstrap_ci

    bootstrap_ci(range(100), n_resamples=100, seed=0, device=device)
    aso(range(10), range(1, 11), n_bootstrap=10, seed=0, device=device)


def _device_name(device: str) -> str:
    import platform

    if device == "cpu":
        return platform.processor() or platform.machine()
    import torch

    return torch.cuda.get_device_name(torch.device(device))


def _cpus() -> int:
    from audit.stats.resampling import available_cpus

    return available_cpus()


def _sizes(text: str) -> list[int]:
    return [int(size) for size in text.split(",") if size]


def _table(header: str, rows: list[list[str]]) -> str:
    lines = [header.split("|"), *rows]
    widths = [max(len(cell) for cell in column) for column in zip(*lines, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _count(value: int) -> str:
    return f"{value:,}"


def _times(ours: float, theirs: float, speedup: float) -> list[str]:
    return [f"{ours:.3f}", f"{theirs:.3f}", f"{speedup:.1f}x"]


def _default_times(row: dict[str, Any]) -> list[str]:
    if row["scipy_default_s"] is None:
        return [f"{row['ours_s']:.3f}", f"needs {row['scipy_default_gib']:g} GiB", "-"]
    return _times(row["ours_s"], row["scipy_default_s"], row["speedup_default"])


def _pair(values: list[float]) -> str:
    return f"[{values[0]:.5f}, {values[1]:.5f}]"


def _yes(value: bool) -> str:
    return "yes" if value else "NO"
