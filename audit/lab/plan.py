"""Which runs an experiment is made of: the same list every time it is worked out.

An interrupted experiment resumes by training the planned runs that have no stored record, so
the plan depends only on the experiment's setup, kind, n and seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.lab.models import Experiment
from audit.lab.setups.base import Setup
from audit.lab.space import Config, Seeds

Kind = Experiment.Kind

# Mixed into the experiment's seed for the retrain seeds, so they are not the search's seeds.
RETRAIN_STREAM = 1

# The dimensions a family of runs draws; the other kinds draw all but the split seed.
VARIED = {
    Kind.SEED_ONLY: ["seed"],
    Kind.SPLIT_ONLY: ["split_seed"],
    Kind.SEED_AND_SPLIT: ["seed", "split_seed"],
}


@dataclass(frozen=True)
class PlannedRun:
    index: int
    config: Config
    deterministic: bool


def planned_runs(
    setup: Setup, kind: str, n: int, seed: int, resamples_another: bool = False
) -> list[PlannedRun]:
    """The runs of an experiment, in order.

    - fixed_seed: the default configuration with `seed`, n times without and n times with
      deterministic algorithms, alternating, so that a cancelled experiment has both modes;
    - seed_only: n seeds drawn with `seed`, every other hyperparameter at its default (the
      split seed too); split_only: n split seeds drawn so, the run seed at its default;
      seed_and_split: both drawn;
    - hyperparameter_search and bootstrap_best: n configurations drawn with `seed` over the
      whole space, the seed included, on the default split; none for a bootstrap_best that
      resamples another experiment's search (`resamples_another`).
    """
    if kind == Kind.FIXED_SEED:
        config = setup.check_config({**setup.default, "seed": seed})
        return [PlannedRun(i, config, deterministic=i % 2 == 1) for i in range(2 * n)]
    if resamples_another:
        return []
    configs = setup.sample_configs(n, seed, vary=VARIED.get(kind))
    return [PlannedRun(i, config, deterministic=False) for i, config in enumerate(configs)]


def retrain_runs(best: Config, first_index: int, k: int, seed: int) -> list[PlannedRun]:
    """A bootstrap_best's retraining: the configuration best on dev with `k` new seeds, planned
    after the search's runs (from `first_index`); the same seeds for the same `seed`."""
    rng = np.random.default_rng([seed, RETRAIN_STREAM])
    return [
        PlannedRun(first_index + i, {**best, "seed": new_seed}, deterministic=False)
        for i, new_seed in enumerate(Seeds().sample(rng, k))
    ]
