"""A multilayer perceptron over feature vectors, with dropout the engine can replay per run."""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import Tensor, nn

from audit.lab import noise


class MLP(nn.Module):
    """`layers` hidden ReLU layers of `width` units (none: a linear classifier)."""

    def __init__(self, n_inputs: int, width: int, layers: int, n_classes: int) -> None:
        super().__init__()
        sizes = [n_inputs] + [width] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(sizes))
        self.out = nn.Linear(sizes[-1], n_classes)

    def forward(self, inputs: Tensor, key: Tensor, dropout: Tensor) -> Tensor:
        h = inputs
        for salt, layer in enumerate(self.hidden):
            h = noise.dropout(torch.relu(layer(h)), dropout, key, salt)
        return self.out(h)
