"""Lab setups: the built-ins learn their task, spaces sample well, settings add setups."""

from __future__ import annotations

import math

import pytest
import torch
from sklearn.datasets import load_wine
from torch import nn

from audit.lab.setups import UnknownSetup, available_setups, get_setup
from audit.lab.setups.base import Data, Setup, make_data
from audit.lab.setups.mlp import MLP
from audit.lab.space import Choice, Config, InvalidConfig, LogUniform, Seeds, Uniform
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
