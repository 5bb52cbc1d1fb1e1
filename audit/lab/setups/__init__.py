"""Lab setups: what the lab can train, the built-in ones and those named in settings.

A setup is a subclass of `audit.lab.setups.base.Setup` with

- `name`, `description`: the setup's id in the lab (pages, `manage.py lab`) and one line on it;
- `space`: the hyperparameters, each a dimension of `audit.lab.space` (`Choice`, `Uniform`,
  `LogUniform`, `Seeds`, `SplitSeeds`). It must have `seed` (a `Seeds()`), `lr`, `batch_size`
  and `epochs`, which the training loop reads, and may have `dropout` and `split_seed` (a
  `SplitSeeds()`, default `base.SPLIT_SEED`: data made by `make_data` is split again with it);
  everything else goes to `build_model`;
- `default`: one configuration inside the space;
- `load_data()`: a `Data` of train/dev/test `Split`s (CPU tensors; `inputs` one row per example,
  `labels` class ids) and the number of classes, loaded once per process;
- `build_model(config)`: a fresh `nn.Module` whose `forward(inputs, key, dropout)` returns class
  logits. The engine seeds torch's generator before calling it, so the default initialisation of
  `nn.Linear` and friends follows the run's seed. Draw dropout masks with
  `audit.lab.noise.dropout(h, dropout, key, salt=<a number per layer>)`, not `nn.Dropout`: these
  masks are the same whether a run trains alone or with others. Buffers (a graph, say) are
  constants shared by all runs trained together, so no BatchNorm running statistics.
- `metric(predictions, gold)`: optional, accuracy unless overridden.

Optimisation (Adam with the configuration's `lr`, minibatches of `batch_size` in an order drawn
from the seed, cross-entropy) belongs to the engine, so that many runs can train together.

Add your own with the `SEEDAUDIT_LAB_SETUPS` setting, a list of dotted paths to `Setup` subclasses
(or instances):

    # myproject/lab.py
    import torch
    from sklearn.datasets import load_wine
    from torch import nn

    from audit.lab.setups.base import Setup, make_data
    from audit.lab.setups.mlp import MLP
    from audit.lab.space import Choice, LogUniform, Seeds, Uniform


    class WineMLP(Setup):
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
        default = {
            "seed": 42,
            "lr": 1e-2,
            "width": 16,
            "dropout": 0.1,
            "batch_size": 16,
            "epochs": 20,
        }

        def load_data(self):
            wine = load_wine()
            x = torch.tensor(wine.data, dtype=torch.float32)
            x = (x - x.mean(0)) / x.std(0)
            return make_data(x, torch.tensor(wine.target), n_classes=3)

        def build_model(self, config):
            return MLP(13, config["width"], layers=1, n_classes=3)

    # settings.py
    SEEDAUDIT_LAB_SETUPS = ["myproject.lab.WineMLP"]
"""

from __future__ import annotations

import os
from functools import cache
from importlib import import_module

from audit.lab.setups.base import ENGINE_DIMENSIONS, Setup
from audit.lab.space import Seeds, check_config

BUILTIN_SETUPS = (
    "audit.lab.setups.digits.DigitsMLP",
    "audit.lab.setups.graph.DigitsGraph",
    "audit.lab.setups.sentences.SeedSentences",
)


class UnknownSetup(LookupError):
    pass


def setup_paths() -> list[str]:
    """The built-in setups, then those of `settings.SEEDAUDIT_LAB_SETUPS` when Django is set up."""
    return [*BUILTIN_SETUPS, *_configured_paths()]


def _configured_paths() -> list[str]:
    # Imported here and only read when a settings module is known, so that the engine also runs
    # in a plain Python process (a script, a notebook) with no Django settings at all.
    from django.conf import settings

    if not (settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE")):
        return []
    return list(settings.SEEDAUDIT_LAB_SETUPS)


@cache
def load_setup(path: str) -> Setup:
    """The setup at a dotted path, one instance per process so its data loads once."""
    module_path, _, attribute = path.rpartition(".")
    found = getattr(import_module(module_path), attribute)
    setup = found() if isinstance(found, type) else found
    if not isinstance(setup, Setup):
        raise TypeError(f"{path} is not a lab Setup")
    missing = [name for name in ENGINE_DIMENSIONS if name not in setup.space]
    if missing:
        raise TypeError(f"{path}: the space lacks {', '.join(missing)}")
    if not isinstance(setup.space["seed"], Seeds):
        raise TypeError(f"{path}: the seed dimension must be Seeds()")
    check_config(setup.space, setup.default)
    return setup


def available_setups() -> dict[str, Setup]:
    setups: dict[str, Setup] = {}
    for path in setup_paths():
        setup = load_setup(path)
        if setup.name in setups:
            raise ValueError(f"two lab setups are named {setup.name!r}")
        setups[setup.name] = setup
    return setups


def get_setup(name: str) -> Setup:
    setups = available_setups()
    if name not in setups:
        raise UnknownSetup(f"no lab setup {name!r}; there are: {', '.join(setups)}")
    return setups[name]
