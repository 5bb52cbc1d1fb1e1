"""Lab setups: the built-ins learn their task, spaces sample well, settings add setups."""

from __future__ import annotations

import math

import pytest
import torch
from sklearn.datasets import load_wine
from torch import nn

from audit.lab.plan import planned_runs
from audit.lab.setups import UnknownSetup, available_setups, get_setup
from audit.lab.setups.base import SPLIT_SEED, Data, Setup, make_data
from audit.lab.setups.mlp import MLP
from audit.lab.space import (
    Choice,
    Config,
    InvalidConfig,
    LogUniform,
    Seeds,
    SplitSeeds,
    Uniform,
)
from audit.lab.training import train_run


class WineMLP(Setup):
    """The example of the `audit.lab.setups` docstring, as a user would add it."""

    name = "wine-mlp"
    description = "MLP on scikit-learn's bundled wine recognition data"
    space = {
        "seed": Seeds(),
        "lr": LogUniform(1e-4, 1e-1),
        "width": Choice((16, 64)),
        "dropout": Uniform(0.0, 0.5),
        "batch_size": Choice((8, 16)),
        "epochs": Choice((20, 50)),
    }
    default = {"seed": 42, "lr": 1e-2, "width": 16, "dropout": 0.1, "batch_size": 16, "epochs": 20}

    def load_data(self) -> Data:
        wine = load_wine()
        x = torch.tensor(wine.data, dtype=torch.float32)
        x = (x - x.mean(0)) / x.std(0)
        return make_data(x, torch.tensor(wine.target), n_classes=3)

    def build_model(self, config: Config) -> nn.Module:
        return MLP(13, config["width"], layers=1, n_classes=3)


class NoEpochs(WineMLP):
    name = "no-epochs"
    space = {name: dimension for name, dimension in WineMLP.space.items() if name != "epochs"}


def majority_rate(setup: Setup) -> float:
    labels = setup.data.test.labels
    return torch.bincount(labels).max().item() / len(labels)


@pytest.mark.parametrize("setup_name", ["digits-mlp", "digits-knn-graph", "seed-sentences"])
def test_each_built_in_setup_learns_well_beyond_chance(setup_name):
    setup = get_setup(setup_name)

    result = train_run(setup, setup.default, device="cpu")

    chance = majority_rate(setup)
    assert result.test_metric > chance + (1 - chance) / 2
    assert result.dev_metric > chance + (1 - chance) / 2


def test_the_splits_are_fixed_stratified_and_disjoint():
    setup = get_setup("digits-knn-graph")  # its inputs are node ids, so overlaps are visible

    parts = [setup.data.train, setup.data.dev, setup.data.test]

    ids = torch.cat([part.inputs for part in parts])
    assert len(ids) == len(ids.unique()) == 1797
    assert [len(part) for part in parts] == [1078, 360, 359]
    for part in parts:
        shares = torch.bincount(part.labels, minlength=10) / len(part)
        assert shares.min() > 0.09 and shares.max() < 0.11


def test_sampled_configurations_cover_the_space_and_vary_the_seed():
    setup = get_setup("digits-mlp")

    configs = setup.sample_configs(400, seed=3)

    for name, dimension in setup.space.items():
        values = [config[name] for config in configs]
        if isinstance(dimension, Choice):
            assert set(values) == set(dimension.values)
        elif isinstance(dimension, SplitSeeds):
            # A search picks its best model on one dev set: the split stays the default one.
            assert set(values) == {SPLIT_SEED}
        elif isinstance(dimension, Seeds):
            assert len(set(values)) == 400 and max(values) > 2**31
        else:
            low, high = dimension.low, dimension.high
            if isinstance(dimension, LogUniform):
                values = [math.log(value) for value in values]
                low, high = math.log(low), math.log(high)
            assert low <= min(values) < low + 0.05 * (high - low)
            assert high - 0.05 * (high - low) < max(values) <= high
    assert all(setup.check_config(config) == config for config in configs)
    assert setup.sample_configs(400, seed=3) == configs


def test_a_seed_only_family_keeps_every_other_hyperparameter_at_its_default():
    setup = get_setup("seed-sentences")

    configs = setup.sample_configs(20, seed=0, vary=["seed"])

    assert len({config["seed"] for config in configs}) == 20
    assert all({**config, "seed": 42} == setup.default for config in configs)


class TestSplitSeed:
    def test_a_split_only_experiment_draws_split_seeds_and_keeps_the_run_seed(self):
        setup = get_setup("digits-mlp")

        configs = [run.config for run in planned_runs(setup, "split_only", 5, seed=1)]

        assert len({config["split_seed"] for config in configs}) == 5
        assert all({**config, "split_seed": SPLIT_SEED} == setup.default for config in configs)
        both = [run.config for run in planned_runs(setup, "seed_and_split", 5, seed=1)]
        assert len({(c["seed"], c["split_seed"]) for c in both}) == 5
        assert len({c["seed"] for c in both}) == 5
        assert all(c["lr"] == setup.default["lr"] for c in both)

    def test_another_split_seed_splits_the_same_examples_differently(self):
        setup = get_setup("digits-knn-graph")  # node ids as inputs: which example is where
        config = planned_runs(setup, "split_only", 2, seed=1)[0].config

        default, other = setup.data, setup.data_for(config)

        assert setup.data_for(setup.default) is default
        ids = torch.cat([other.train.inputs, other.dev.inputs, other.test.inputs])
        assert sorted(ids.tolist()) == list(range(1797))
        assert [len(other.train), len(other.dev), len(other.test)] == [1078, 360, 359]
        shared = set(default.test.inputs.tolist()) & set(other.test.inputs.tolist())
        assert len(shared) < 0.4 * 359  # about a fifth by chance, not the same test set

    def test_split_seeds_change_the_scores_and_one_split_seed_reproduces_exactly(self):
        setup = get_setup("digits-mlp")
        configs = [
            {**run.config, "epochs": 2} for run in planned_runs(setup, "split_only", 3, seed=1)
        ]

        runs = [train_run(setup, config, device="cpu") for config in configs]
        again = train_run(setup, configs[1], device="cpu")

        # The run seed is the same: only the split moves the score.
        assert len({run.test_gold for run in runs}) == 3
        assert len({run.test_metric for run in runs}) > 1
        assert len({run.weights_sha256 for run in runs}) == 3
        assert again.weights_sha256 == runs[1].weights_sha256
        assert again.test_predictions == runs[1].test_predictions
        assert again.test_metric == runs[1].test_metric

    def test_a_setup_with_its_own_split_cannot_be_split_again(self):
        class WineOwnSplit(WineMLP):
            def load_data(self) -> Data:
                made = super().load_data()
                return Data(made.train, made.dev, made.test, made.n_classes)

        wine = WineOwnSplit()
        assert wine.data_for(wine.default) is wine.data
        with pytest.raises(InvalidConfig, match="comes with one split"):
            wine.data_for({**wine.default, "split_seed": 5})


def test_it_rejects_configurations_outside_the_space():
    setup = get_setup("digits-mlp")

    with pytest.raises(InvalidConfig, match="width=100"):
        setup.check_config({**setup.default, "width": 100})
    with pytest.raises(InvalidConfig, match="seed=-1"):
        setup.check_config({**setup.default, "seed": -1})
    with pytest.raises(InvalidConfig, match="missing: lr; unknown: momentum"):
        without_lr = {name: value for name, value in setup.default.items() if name != "lr"}
        setup.check_config({**without_lr, "momentum": 0.9})
    with pytest.raises(InvalidConfig, match="not in the space: momentum"):
        setup.sample_configs(2, seed=0, vary=["momentum"])


def test_it_lists_the_built_in_setups_when_none_are_configured(settings):
    settings.SEEDAUDIT_LAB_SETUPS = []

    assert list(available_setups()) == ["digits-mlp", "digits-knn-graph", "seed-sentences"]
    with pytest.raises(UnknownSetup, match="digits-mlp"):
        get_setup("mnist")


def test_a_setup_named_in_settings_joins_the_built_ins_and_trains(settings):
    settings.SEEDAUDIT_LAB_SETUPS = ["tests.test_lab_engine_setups.WineMLP"]

    setup = get_setup("wine-mlp")
    result = train_run(setup, setup.default, device="cpu")

    assert "digits-mlp" in available_setups()
    assert result.setup == "wine-mlp"
    assert result.test_metric > majority_rate(setup) + (1 - majority_rate(setup)) / 2


def test_a_setup_whose_space_lacks_what_training_reads_is_refused(settings):
    settings.SEEDAUDIT_LAB_SETUPS = ["tests.test_lab_engine_setups.NoEpochs"]

    with pytest.raises(TypeError, match="lacks epochs"):
        available_setups()
