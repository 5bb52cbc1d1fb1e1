"""A linear or MLP classifier telling sentences that talk about random seeds from the others.

Reads `audit/lab/data/sentences.jsonl`, one `{"text": ..., "label": 0 or 1}` per line (other keys
are ignored); see `audit/lab/data/README.md` for where the sentences come from. Features are a
hashed bag of lowercased word unigrams and bigrams, so nothing is downloaded or fitted.
"""

from __future__ import annotations

import json
import re
import zlib
from itertools import pairwise
from pathlib import Path

import torch
from torch import Tensor, nn

from audit.lab.setups.base import SPLIT_SEED, Data, Setup, make_data
from audit.lab.setups.mlp import MLP
from audit.lab.space import Choice, Config, LogUniform, Seeds, SplitSeeds, Uniform

SENTENCES = Path(__file__).resolve().parent.parent / "data" / "sentences.jsonl"
HASHED_FEATURES = 2**12
WORD = re.compile(r"[a-z0-9]+")


def hashed_features(texts: list[str], n_features: int = HASHED_FEATURES) -> Tensor:
    """log(1 + count) of hashed unigrams and bigrams, scaled to unit length: [texts, n_features]."""
    rows, columns = [], []
    for row, text in enumerate(texts):
        words = WORD.findall(text.lower())
        terms = words + [f"{a} {b}" for a, b in pairwise(words)]
        # crc32, not hash(): Python salts str hashes per process, and features must not change.
        columns += [zlib.crc32(term.encode()) % n_features for term in terms]
        rows += [row] * len(terms)
    counts = torch.zeros(len(texts), n_features)
    counts.index_put_(
        (torch.tensor(rows, dtype=torch.int64), torch.tensor(columns, dtype=torch.int64)),
        torch.ones(len(rows)),
        accumulate=True,
    )
    features = torch.log1p(counts)
    return features / features.norm(dim=1, keepdim=True).clamp_min(1e-12)


class SeedSentences(Setup):
    name = "seed-sentences"
    description = (
        "hashed-bigram linear/MLP classifier: does a paper sentence talk about random seeds?"
    )
    space = {
        "seed": Seeds(),
        "split_seed": SplitSeeds(),
        "lr": LogUniform(1e-3, 1e-1),
        "width": Choice((16, 32, 64)),
        "layers": Choice((0, 1)),
        "dropout": Uniform(0.0, 0.5),
        "batch_size": Choice((8, 16, 32)),
        "epochs": Choice((5, 10, 20)),
    }
    default = {
        "seed": 42,
        "split_seed": SPLIT_SEED,
        "lr": 1e-2,
        "width": 32,
        "layers": 1,
        "dropout": 0.1,
        "batch_size": 16,
        "epochs": 10,
    }

    def load_data(self) -> Data:
        with SENTENCES.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        features = hashed_features([record["text"] for record in records])
        labels = torch.tensor([int(record["label"]) for record in records])
        return make_data(features, labels, n_classes=2)

    def build_model(self, config: Config) -> nn.Module:
        return MLP(
            HASHED_FEATURES, int(config["width"]), int(config["layers"]), self.data.n_classes
        )
