"""Bethard's (2022) taxonomy of random-seed uses: defined here once, used everywhere.

The order is the order of the keyboard keys in the annotation tool (1-5, then 0) and of the rows
of Table 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Group(models.TextChoices):
    SAFE = "safe", "Safe"
    RISKY = "risky", "Risky"
    NONE = "none", "Not a seed use"


class Label(models.TextChoices):
    MODEL_SELECTION = "model_selection", "Model selection"
    ENSEMBLE = "ensemble", "Ensemble creation"
    SENSITIVITY = "sensitivity", "Sensitivity analysis"
    FIXED_SEED = "fixed_seed", "Single fixed seed"
    PERFORMANCE_COMPARISON = "performance_comparison", "Performance comparison"
    NOT_SEED_USE = "not_seed_use", "Not a seed use"


@dataclass(frozen=True)
class Category:
    label: Label
    group: Group
    key: str
    definition: str
    example: str
    example_source: str

    @property
    def name(self) -> str:
        return self.label.label


CATEGORIES: tuple[Category, ...] = (
    Category(
        Label.MODEL_SELECTION,
        Group.SAFE,
        "1",
        "The seed is tuned like any other hyperparameter: several seeds are tried and the best "
        "run on development data is kept.",
        "The test results are derived from the 1-best random seed on the validation set.",
        "Kuncoro et al., 2020",
    ),
    Category(
        Label.ENSEMBLE,
        Group.SAFE,
        "2",
        "Models trained with different seeds are combined into an ensemble.",
        "In order to improve the stability of the RNNs, we ensemble five distinct models, each "
        "initialized with a different random seed.",
        "Nicolai et al., 2017",
    ),
    Category(
        Label.SENSITIVITY,
        Group.SAFE,
        "3",
        "Reports or studies how much results vary with the seed, without claiming one model "
        "beats another.",
        "Our model shows a lower standard deviation on each task, which means our model is less "
        "sensitive to random seeds than other models.",
        "Hua et al., 2021",
    ),
    Category(
        Label.FIXED_SEED,
        Group.RISKY,
        "4",
        "One fixed seed is used, typically 'for reproducibility'.",
        "For consistency, we used the same set of hyperparameters and a fixed random seed across "
        "all experiments.",
        "Lin et al., 2020",
    ),
    Category(
        Label.PERFORMANCE_COMPARISON,
        Group.RISKY,
        "5",
        "Score distributions made by varying only the seed are used to claim one model beats "
        "another.",
        "Indeed, the best approach is to stop reporting single-value results, and instead report "
        "the distribution of results from a range of seeds.",
        "Crane, 2018",
    ),
    Category(
        Label.NOT_SEED_USE,
        Group.NONE,
        "0",
        "Mentions a seed, but not a neural network's random seed: data sampling, seed words, "
        "seed instances, plant seeds, 'Seeded KMeans'.",
        "To generate k-shot datasets, a fixed set of random seeds is used to sample instances.",
        "Zhang et al., 2023",
    ),
)

BY_LABEL: dict[str, Category] = {c.label.value: c for c in CATEGORIES}
# The label values in the taxonomy's order: tables, charts and ties follow it.
LABELS: tuple[str, ...] = tuple(BY_LABEL)


def group_of(label: str) -> Group:
    return BY_LABEL[label].group
