"""Statistics for comparing systems soundly: bootstrap intervals, paired tests, Almost Stochastic
Order and expected maximum performance, vectorized and optionally on a GPU (`device="cuda"`).

Every function takes plain sequences or NumPy arrays and returns a frozen dataclass with a
`to_dict()` for JSON; bad input raises `StatsInputError` with a message fit for the user.
`compare_systems` gathers everything a comparison report of two systems shows; `judge_runs`,
`judge_datasets` and `judge` give every report's verdict by one set of rules (`verdict`).
"""

from audit.stats.aso import ASOResult, aso
from audit.stats.bootstrap import BootstrapCI, PairedBootstrap, bootstrap_ci, paired_bootstrap
from audit.stats.calibration import RunsNeeded, runs_needed
from audit.stats.classical import (
    ClassicalTest,
    MeanInterval,
    WelchTest,
    mann_whitney,
    mean_interval,
    welch_t,
    wilcoxon_signed_rank,
)
from audit.stats.compare import Comparison, SystemSummary, compare_systems
from audit.stats.effect_size import EffectSize, effect_size
from audit.stats.expected_max import ExpectedMax, expected_max
from audit.stats.inputs import StatsInputError
from audit.stats.multiple import HolmResult, holm_bonferroni
from audit.stats.permutation import PermutationTest, permutation_test
from audit.stats.verdict import PairVerdict, RunsVerdict, judge, judge_datasets, judge_runs

__all__ = [
    "ASOResult",
    "BootstrapCI",
    "ClassicalTest",
    "Comparison",
    "EffectSize",
    "ExpectedMax",
    "HolmResult",
    "MeanInterval",
    "PairVerdict",
    "PairedBootstrap",
    "PermutationTest",
    "RunsNeeded",
    "RunsVerdict",
    "StatsInputError",
    "SystemSummary",
    "WelchTest",
    "aso",
    "bootstrap_ci",
    "compare_systems",
    "effect_size",
    "expected_max",
    "holm_bonferroni",
    "judge",
    "judge_datasets",
    "judge_runs",
    "mann_whitney",
    "mean_interval",
    "paired_bootstrap",
    "permutation_test",
    "runs_needed",
    "welch_t",
    "wilcoxon_signed_rank",
]
