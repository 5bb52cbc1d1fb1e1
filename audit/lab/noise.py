"""Counter-based randomness: a run draws the same numbers alone as when trained with others.

Stateful generators (`torch.Generator`, `nn.Dropout`) hand out numbers in call order, so a run
trained inside a `vmap` group would see different dropout masks and data orders than the same
run trained alone. Here every random number is a hash of (run seed, stream, counter, element),
computed with exact integer arithmetic, so it does not depend on the other runs in a group, on
the order of calls or on the device.
"""

from __future__ import annotations

import torch
from torch import Tensor

# Streams keep the data order and the dropout masks of one seed independent of each other.
ORDER_STREAM = 0x5EED0001
DROPOUT_STREAM = 0x5EED0002

_LOW_32_BITS = 0xFFFFFFFF


def _multiply_32(x: Tensor, constant: int) -> Tensor:
    # (x * constant) mod 2**32 for x < 2**32, split in 16-bit halves so that no int64 product
    # overflows: signed overflow is not something to rely on across CPU and CUDA kernels.
    low = x * (constant & 0xFFFF)
    high = ((x * (constant >> 16)) & 0xFFFF) << 16
    return (low + high) & _LOW_32_BITS


def mix(x: Tensor) -> Tensor:
    """Hash int64 values in [0, 2**32) to well-spread ones in [0, 2**32) (MurmurHash3's fmix32)."""
    x = x ^ (x >> 16)
    x = _multiply_32(x, 0x85EBCA6B)
    x = x ^ (x >> 13)
    x = _multiply_32(x, 0xC2B2AE35)
    return x ^ (x >> 16)


def stream_keys(seeds: Tensor, stream: int, counters: Tensor) -> Tensor:
    """Keys for `counters` (shape [T]) of each seed (shape [K]) in a stream: shape [T, K]."""
    seed_keys = mix(mix(seeds & _LOW_32_BITS) ^ stream)
    return mix(seed_keys[None, :] ^ mix(counters[:, None]))


def permutations(keys: Tensor, n: int) -> Tensor:
    """One permutation of range(n) per key (shape [K]): shape [K, n]."""
    positions = mix(torch.arange(n, device=keys.device))
    # A stable sort settles the (rare) equal hashes the same way on every device.
    return torch.argsort(mix(positions[None, :] ^ keys[:, None]), dim=1, stable=True)


def dropout(h: Tensor, p: Tensor, key: Tensor, salt: int) -> Tensor:
    """Inverted dropout of `h` with probability `p`, masks drawn from `key` and `salt`.

    `p` and `key` are 0-dimensional tensors, one per run when called under `vmap`. `salt`
    tells the dropout layers of one model apart. The probability is applied in steps of 1/256
    (each element's draw is one byte of a 32-bit hash), which is what makes masks cheap enough
    to draw per run and per step.
    """
    n_words = (h.numel() + 3) // 4
    words = mix(torch.arange(n_words, device=h.device) ^ mix(key ^ salt))
    # Four draws per 32-bit word: its bytes, read through an int32 view (CPUs and CUDA GPUs are
    # both little-endian, so the bytes come in the same order on each). The word is moved into
    # int32's range first, because converting an out-of-range value is not defined.
    signed = words - ((words >> 31) << 32)
    draws = signed.to(torch.int32).view(torch.uint8)[: h.numel()].view(h.shape)
    threshold = torch.round(p * 256)
    keep = draws >= threshold
    return h * keep / (1 - threshold / 256)
