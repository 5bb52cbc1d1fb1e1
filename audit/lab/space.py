"""Hyperparameter spaces: the dimensions a configuration is drawn from, the seed among them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

Value = int | float | str
Config = dict[str, Value]

SEED_LIMIT = 2**32  # torch accepts larger seeds, the counter-based noise uses 32 bits of them


class InvalidConfig(ValueError):
    """A configuration that names unknown hyperparameters, lacks some, or leaves the space."""


@dataclass(frozen=True)
class Choice:
    values: tuple[Value, ...]

    def sample(self, rng: np.random.Generator, n: int) -> list[Value]:
        return [self.values[i] for i in rng.integers(len(self.values), size=n)]

    def contains(self, value: Value) -> bool:
        return value in self.values


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> list[Value]:
        return rng.uniform(self.low, self.high, size=n).tolist()

    def contains(self, value: Value) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


@dataclass(frozen=True)
class LogUniform:
    low: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> list[Value]:
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size=n)).tolist()

    def contains(self, value: Value) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


@dataclass(frozen=True)
class Seeds:
    """The random seed: distinct draws, so that N sampled seeds give N different runs."""

    def sample(self, rng: np.random.Generator, n: int) -> list[Value]:
        return rng.choice(SEED_LIMIT, size=n, replace=False).tolist()

    def contains(self, value: Value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < SEED_LIMIT


@dataclass(frozen=True)
class SplitSeeds(Seeds):
    """The seed of the train/dev/test split (Bouthillier et al. 2021 find its variance rivals
    the initialisation seed's). Only drawn when asked for by name: a search that moved it would
    pick its best model on a different dev set each run."""


Dimension = Choice | Uniform | LogUniform | Seeds
Space = Mapping[str, Dimension]


def sample_configs(
    space: Space, default: Config, n: int, seed: int, vary: Iterable[str] | None = None
) -> list[Config]:
    """`n` configurations drawn at random from `space` with a generator seeded by `seed`.

    `vary` names the dimensions to draw (when None, all but the split seed); the others keep
    their `default` value, so `vary=["seed"]` gives a seed-only family, `vary=["split_seed"]` a
    split-only one and `vary=None` a random search on the default split.
    """
    if vary is None:
        varied = {name for name, kind in space.items() if not isinstance(kind, SplitSeeds)}
    else:
        varied = set(vary)
    unknown = varied - set(space)
    if unknown:
        raise InvalidConfig(f"not in the space: {', '.join(sorted(unknown))}")
    rng = np.random.default_rng(seed)
    columns = {
        name: dimension.sample(rng, n) if name in varied else [default[name]] * n
        for name, dimension in space.items()
    }
    return [{name: column[i] for name, column in columns.items()} for i in range(n)]


def check_config(space: Space, config: Mapping[str, Value]) -> Config:
    """`config` as a plain dict when it names every dimension of `space` with a value inside it."""
    missing, extra = set(space) - set(config), set(config) - set(space)
    if missing or extra:
        missing_names, extra_names = ", ".join(sorted(missing)), ", ".join(sorted(extra))
        raise InvalidConfig(f"missing: {missing_names or '-'}; unknown: {extra_names or '-'}")
    outside = [name for name, dimension in space.items() if not dimension.contains(config[name])]
    if outside:
        raise InvalidConfig(
            "outside the space: " + ", ".join(f"{name}={config[name]!r}" for name in outside)
        )
    return dict(config)
