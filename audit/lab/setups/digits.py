"""An MLP on scikit-learn's bundled digits: 1,797 8x8 images of handwritten digits, 10 classes."""

from __future__ import annotations

import torch
from sklearn.datasets import load_digits
from torch import nn

from audit.lab.setups.base import SPLIT_SEED, Data, Setup, make_data
from audit.lab.setups.mlp import MLP
from audit.lab.space import Choice, Config, LogUniform, Seeds, SplitSeeds, Uniform


def digit_images() -> tuple[torch.Tensor, torch.Tensor]:
    """Pixels scaled to [0, 1] (shape [1797, 64], rows of the 8x8 image in order) and labels."""
    digits = load_digits()
    pixels = torch.tensor(digits.data, dtype=torch.float32) / 16
    return pixels, torch.tensor(digits.target, dtype=torch.int64)


class DigitsMLP(Setup):
    name = "digits-mlp"
    description = (
        "MLP on scikit-learn's bundled 8x8 handwritten digits (10 classes, 60/20/20 split)"
    )
    space = {
        "seed": Seeds(),
        "split_seed": SplitSeeds(),
        "lr": LogUniform(1e-4, 3e-2),
        "width": Choice((32, 64, 128, 256)),
        "layers": Choice((1, 2)),
        "dropout": Uniform(0.0, 0.5),
        "batch_size": Choice((16, 32, 64, 128)),
        "epochs": Choice((5, 10, 20)),
    }
    default = {
        "seed": 42,
        "split_seed": SPLIT_SEED,
        "lr": 3e-3,
        "width": 128,
        "layers": 1,
        "dropout": 0.2,
        "batch_size": 32,
        "epochs": 10,
    }

    def load_data(self) -> Data:
        pixels, labels = digit_images()
        return make_data(pixels, labels, n_classes=10)

    def build_model(self, config: Config) -> nn.Module:
        return MLP(64, int(config["width"]), int(config["layers"]), self.data.n_classes)
