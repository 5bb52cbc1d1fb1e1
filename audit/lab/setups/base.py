"""The setup interface: data, a model built from a configuration, a metric and a space."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor, nn

from audit.lab.space import Config, InvalidConfig, Space, Value, check_config, sample_configs

# The split of a setup's data unless a run's `split_seed` says otherwise: it does not move with
# the run seed, so that a seed-only family is trained and scored on one split.
SPLIT_SEED = 20221024
SPLIT_DIMENSION = "split_seed"

# The training loop reads these; every space has them (dropout may be left out).
ENGINE_DIMENSIONS = ("seed", "lr", "batch_size", "epochs")


@dataclass(frozen=True)
class Split:
    """One row of `inputs` per example (features, or ids the model looks up), class ids."""

    inputs: Tensor
    labels: Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def to(self, device: torch.device) -> Split:
        return Split(self.inputs.to(device), self.labels.to(device))


@dataclass(frozen=True)
class Data:
    train: Split
    dev: Split
    test: Split
    n_classes: int
    # All examples before the split, kept by `make_data` so that another split seed can split
    # them again; None for data split some other way, which then has one split only.
    examples: Split | None = None

    def to(self, device: torch.device) -> Data:
        return Data(
            self.train.to(device), self.dev.to(device), self.test.to(device), self.n_classes
        )


class Setup(ABC):
    """A runnable recipe; see `audit.lab.setups` for the contract and an example."""

    name: ClassVar[str]
    description: ClassVar[str]
    space: ClassVar[Space]
    default: ClassVar[Config]

    @abstractmethod
    def load_data(self) -> Data:
        """Train, dev and test splits on the CPU; called once per process (see `data`)."""

    @abstractmethod
    def build_model(self, config: Config) -> nn.Module:
        """A fresh model for `config`; the engine seeds torch's CPU generator before calling."""

    @cached_property
    def data(self) -> Data:
        return self.load_data()

    def data_for(self, config: Mapping[str, Value]) -> Data:
        """The data a run of `config` trains and is scored on: `data`, or when the config has
        a `split_seed` other than `SPLIT_SEED`, the same examples split again with it."""
        split_seed = int(config.get(SPLIT_DIMENSION, SPLIT_SEED))
        if split_seed == SPLIT_SEED:
            return self.data
        return _split_again(self, split_seed)

    def metric(self, predictions: np.ndarray, gold: np.ndarray) -> np.ndarray:
        """Accuracy over the last axis, so a stack of bootstrap resamples is scored at once."""
        return np.mean(predictions == gold, axis=-1)

    def sample_configs(self, n: int, seed: int, vary: Iterable[str] | None = None) -> list[Config]:
        return sample_configs(self.space, self.default, n, seed, vary)

    def check_config(self, config: Mapping[str, Value]) -> Config:
        return check_config(self.space, config)


def split_indices(
    labels: np.ndarray, generator_seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 60/20/20 train/dev/test split, stratified by label; the same for one generator seed."""
    rng = np.random.default_rng(generator_seed)
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        ends = [round(0.6 * len(members)), round(0.8 * len(members))]
        for part, chunk in zip(parts, np.split(members, ends), strict=True):
            part.append(chunk)
    # Sorted, so that examples keep the order of the data set within each part.
    train, dev, test = (np.sort(np.concatenate(part)) for part in parts)
    return train, dev, test


def make_data(
    inputs: Tensor, labels: Tensor, n_classes: int, generator_seed: int = SPLIT_SEED
) -> Data:
    """`Data` from one tensor of inputs and labels, split by `split_indices`."""
    parts = [
        Split(inputs[torch.from_numpy(part)], labels[torch.from_numpy(part)])
        for part in split_indices(labels.numpy(), generator_seed)
    ]
    return Data(*parts, n_classes=n_classes, examples=Split(inputs, labels))


# A few splits per process: runs are trained in groups of one split each.
@lru_cache(maxsize=4)
def _split_again(setup: Setup, split_seed: int) -> Data:
    examples = setup.data.examples
    if examples is None:
        raise InvalidConfig(f"{setup.name} comes with one split: its data cannot be split again")
    return make_data(examples.inputs, examples.labels, setup.data.n_classes, split_seed)
