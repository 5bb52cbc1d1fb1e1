"""The one resampling engine behind every bootstrap, permutation and ASO replicate.

A statistic hands `draw_replicates` a kernel: given a backend, it returns a function that
computes the statistic for a block of `rows` resamples at once, as one array operation. The engine
cuts the resamples into blocks small enough to stay in cache (on the CPU) or in memory (on a GPU)
and concatenates what the kernel returns, so no code anywhere loops once per resample.

On `device="cpu"` the arrays are NumPy's. Sums of resampled values (every mean, and paired
difference of continuous scores) take the fastest path, `SplitSums`. The resamples are split into
a fixed number of streams, each with its own generator spawned from the seed, so the answer
depends on the seed alone, never on how many threads ran the streams. Any other device
(`"cuda"`, `"cuda:1"`, or a `torch.device`, `torch.device("cpu")` included) runs the same kernels
on torch tensors there; its random stream differs from NumPy's, so CPU and GPU agree within
Monte-Carlo error, not bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from scipy import sparse

from audit.stats.inputs import StatsInputError

if TYPE_CHECKING:
    import torch

    Device: TypeAlias = str | torch.device

Array: TypeAlias = Any  # numpy.ndarray for the NumPy backend, torch.Tensor for the torch one

# Fixed, so that the split of the resamples (and with it the answer) never depends on the machine.
STREAMS = 8
# 256 Ki elements per block keep its arrays (a few MiB: indices, gathered values) in the cache.
CPU_BLOCK_ELEMENTS = 1 << 18
# A GPU wants big launches; 32 Mi elements of int64 indices is 256 MiB of device memory.
TORCH_BLOCK_ELEMENTS = 1 << 25
# Below this much work, starting threads costs more than it saves.
THREADS_MIN_ELEMENTS = 1 << 22


class NumpyBackend:
    """Random draws and the few array operations whose NumPy and torch spellings differ.

    The operations that draw nothing are static, so the class itself serves for observed data.
    """

    block_elements = CPU_BLOCK_ELEMENTS

    def __init__(self, seed: np.random.SeedSequence) -> None:
        self._bits = np.random.PCG64(seed)
        self._rng = np.random.Generator(self._bits)

    @staticmethod
    def asarray(values: np.ndarray) -> np.ndarray:
        return values

    @staticmethod
    def to_numpy(values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)

    def indices(self, rows: int, n: int) -> np.ndarray:
        """(rows, n) uniform indices into n items: one bootstrap resample per row."""
        # 32 random bits per index, two per 64-bit draw, mapped onto [0, n) by multiply-shift:
        # half the bits of Generator.integers' int64 path and no rejection loop. Each item's
        # probability is off from 1/n by at most n / 2**32 relative, far below Monte-Carlo error.
        size = rows * n
        bits = self._bits.random_raw((size + 1) // 2).view(np.uint32)[:size]
        scaled = np.multiply(bits, np.uint64(n), dtype=np.uint64)
        scaled >>= np.uint64(32)
        return scaled.view(np.int64).reshape(rows, n)

    def resample_sums(self, values: np.ndarray) -> Callable[[int], np.ndarray]:
        """`draw(rows)`: the sums of `rows` bootstrap resamples of `values`, shape (rows,)."""
        return SplitSums(self._bits, self._rng, values)

    def bits(self, rows: int, n: int) -> np.ndarray:
        """(rows, n) fair coin flips as uint8 0/1, one random bit each."""
        size = rows * n
        raw = self._bits.random_raw(-(-size // 64))
        return np.unpackbits(raw.view(np.uint8), count=size).reshape(rows, n)

    def multinomial(self, total: int, probabilities: np.ndarray, rows: int) -> np.ndarray:
        return self._rng.multinomial(total, probabilities, size=rows).astype(np.float64)

    def binomial(self, trials: np.ndarray, p: float, rows: int) -> np.ndarray:
        """(rows, k) draws, column j from Binomial(trials[j], p)."""
        counts = trials.astype(np.int64)
        return self._rng.binomial(counts, p, size=(rows, counts.size)).astype(np.float64)

    @staticmethod
    def bincount_rows(codes: np.ndarray, size: int) -> np.ndarray:
        """For each row of codes in [0, size), how often each code occurs: (rows, size)."""
        rows = codes.shape[0]
        offsets = np.arange(rows)[:, None] * size
        counts = np.bincount((codes + offsets).ravel(), minlength=rows * size)
        return counts.reshape(rows, size).astype(np.float64)

    @staticmethod
    def sort_rows(values: np.ndarray) -> np.ndarray:
        return np.sort(values, axis=1)

    @staticmethod
    def order_statistics(values: np.ndarray, ranks: list[int]) -> np.ndarray:
        """The given 0-based order statistics of each row, without sorting the rows."""
        return np.partition(values, ranks, axis=1)[:, ranks]


class SplitSums:
    """Sums of bootstrap resamples of n values, each draw exact and made of at most 16 random bits
    (for n < 2**17; 32 beyond).

    Write n as a sum of powers of two, n = 2**k1 + 2**k2 + ..., and cut the values into parts of
    those sizes. A uniform draw from all n items falls in part j with probability 2**kj / n, so
    how many of a resample's n draws fall in each part is multinomial (a few counts per resample),
    and where a draw falls within its part is kj uniform random bits. No multiplication, no
    rejection and no bias: each item is drawn with probability exactly 1/n, unlike the
    multiply-shift of `NumpyBackend.indices`.

    The draws of a block become a sparse count matrix, one row per resample and part, and its
    product with the values gives the sums: scipy's CSR product gathers and adds in one compiled
    loop, in float64, where NumPy would write the gathered values out and read them back.
    """

    def __init__(self, bits: np.random.BitGenerator, rng: np.random.Generator, values: np.ndarray):
        n = values.size
        self._bits, self._rng, self._values = bits, rng, values
        self._sizes = [1 << k for k in reversed(range(n.bit_length())) if n >> k & 1]
        self._shares = np.array(self._sizes) / n
        # Every part starts at a multiple of its own size (the larger parts before it sum to
        # one), so a position within it is placed by OR-ing in the start.
        self._starts = [sum(self._sizes[:j]) for j in range(len(self._sizes))]
        # Largest parts first, so that the 32-bit draws come first and every view is aligned.
        self._widths = [
            np.dtype(np.uint16 if size <= 1 << 16 else np.uint32) for size in self._sizes
        ]
        self._bytes = np.array([width.itemsize for width in self._widths])
        # Reused from block to block: a fresh array per block would have its pages faulted in
        # again each time, which costs more than the draws.
        self._positions = np.empty(0, dtype=np.int32)
        self._ones = np.empty(0)

    def __call__(self, rows: int) -> np.ndarray:
        n = self._values.size
        counts = self._rng.multinomial(n, self._shares, size=rows)
        if self._positions.size < rows * n:
            self._positions = np.empty(rows * n, dtype=np.int32)
            self._ones = np.ones(rows * n)
        totals = counts.sum(0)
        raw = self._bits.random_raw(-(-int(totals @ self._bytes) // 8)).view(np.uint8)
        stop = offset = 0
        for size, start, width, total in zip(
            self._sizes, self._starts, self._widths, totals, strict=True
        ):
            positions = self._positions[stop : stop + total]
            bits = raw[offset : offset + total * width.itemsize].view(width)
            np.bitwise_and(bits, size - 1, out=positions, casting="unsafe")
            positions |= start
            stop, offset = stop + total, offset + total * width.itemsize
        # Row pointers of the same int32 as the positions, or scipy copies both to int64.
        row_starts = np.zeros(counts.size + 1, dtype=np.int32)
        np.cumsum(counts.T.ravel(), out=row_starts[1:])
        draws = sparse.csr_array(
            (self._ones[:stop], self._positions[:stop], row_starts), shape=(counts.size, n)
        )
        return (draws @ self._values).reshape(len(self._sizes), rows).sum(0)


class TorchBackend:
    """The NumpyBackend's operations on torch tensors on one device."""

    def __init__(self, device: Device, seed: np.random.SeedSequence) -> None:
        import torch

        self._torch = torch
        self.device = torch.device(device)
        on_cpu = self.device.type == "cpu"
        self.block_elements = CPU_BLOCK_ELEMENTS if on_cpu else TORCH_BLOCK_ELEMENTS
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise StatsInputError(f"device {device!r} was asked for but no CUDA GPU is available")
        self._generator = torch.Generator(device=self.device)
        # manual_seed takes at most 64 bits; the top bit is dropped to keep it a valid int64.
        self._generator.manual_seed(int(seed.generate_state(1, np.uint64)[0] >> np.uint64(1)))

    def asarray(self, values: np.ndarray) -> Any:
        return self._torch.as_tensor(values, device=self.device)

    def to_numpy(self, values: Any) -> np.ndarray:
        return values.double().cpu().numpy()

    def indices(self, rows: int, n: int) -> Any:
        return self._torch.randint(n, (rows, n), generator=self._generator, device=self.device)

    def resample_sums(self, values: np.ndarray) -> Callable[[int], Any]:
        # float32 halves the bytes a GPU gathers; its tree-shaped sums keep the precision.
        items, n = self.asarray(values.astype(np.float32)), values.size
        return lambda rows: items[self.indices(rows, n)].sum(1)

    def bits(self, rows: int, n: int) -> Any:
        return self._torch.randint(
            2, (rows, n), generator=self._generator, device=self.device, dtype=self._torch.uint8
        )

    def multinomial(self, total: int, probabilities: np.ndarray, rows: int) -> Any:
        # torch.multinomial draws items, not counts; counts come from one binomial per category
        # (not per resample), each conditional on what the earlier categories took.
        torch = self._torch
        tail = np.cumsum(probabilities[::-1])[::-1]
        conditional = np.clip(probabilities / np.where(tail > 0, tail, 1), 0, 1)
        remaining = torch.full((rows,), float(total), dtype=torch.float64, device=self.device)
        columns = []
        for p in conditional[:-1]:
            drawn = torch.binomial(remaining, torch.full_like(remaining, p), self._generator)
            columns.append(drawn)
            remaining = remaining - drawn
        columns.append(remaining)
        return torch.stack(columns, dim=1)

    def binomial(self, trials: np.ndarray, p: float, rows: int) -> Any:
        counts = self.asarray(trials.astype(np.float64)).expand(rows, trials.size).contiguous()
        return self._torch.binomial(counts, self._torch.full_like(counts, p), self._generator)

    def bincount_rows(self, codes: Any, size: int) -> Any:
        rows = codes.shape[0]
        offsets = self._torch.arange(rows, device=self.device)[:, None] * size
        counts = self._torch.bincount((codes + offsets).ravel(), minlength=rows * size)
        return counts.reshape(rows, size).double()

    def sort_rows(self, values: Any) -> Any:
        return values.sort(dim=1).values

    def order_statistics(self, values: Any, ranks: list[int]) -> Any:
        return self.sort_rows(values)[:, ranks]


Backend: TypeAlias = NumpyBackend | TorchBackend
Kernel: TypeAlias = Callable[[Backend], Callable[[int], Array]]


def draw_replicates(
    device: Device, seed: int | None, n_resamples: int, row_elements: int, kernel: Kernel
) -> np.ndarray:
    """`n_resamples` values of a statistic, computed block by block by `kernel`.

    `row_elements` is the work one resample costs (items gathered, categories drawn); it sets
    how many resamples go in a block. The result is float64 and depends only on `seed` and the
    kind of device.
    """
    root = np.random.SeedSequence(seed)
    if isinstance(device, str) and device == "cpu":
        shares = [len(share) for share in np.array_split(np.arange(n_resamples), STREAMS)]
        streams = [
            (NumpyBackend(stream_seed), share)
            for stream_seed, share in zip(root.spawn(STREAMS), shares, strict=True)
            if share
        ]
    else:
        streams = [(TorchBackend(device, root), n_resamples)]

    def run(stream: tuple[Backend, int]) -> np.ndarray:
        backend, count = stream
        compute = kernel(backend)
        rows = max(1, backend.block_elements // max(1, row_elements))
        return np.concatenate(
            [backend.to_numpy(compute(min(rows, count - start))) for start in range(0, count, rows)]
        )

    workers = min(len(streams), available_cpus())
    if workers > 1 and n_resamples * row_elements >= THREADS_MIN_ELEMENTS:
        # NumPy releases the GIL in the draws, gathers and reductions, so streams run in parallel.
        with ThreadPoolExecutor(workers) as pool:
            return np.concatenate(list(pool.map(run, streams)))
    return np.concatenate([run(stream) for stream in streams])


def tie_tolerance(*values: np.ndarray | float) -> float:
    """How far apart a replicate and the observed value may be and still count as tied.

    Replicates are float64 sums taken in another order than the observed value's, so an exact
    tie can come out a few ulps off; this absorbs that and no more. (On a torch device, means
    are summed in float32, off by ~1e-7 of the spread, so on lattice-valued scores an exact tie
    may count either way; that moves a p-value by far less than its Monte-Carlo error.)
    """
    scale = max(float(np.max(np.abs(value))) for value in values)
    return 1e-9 * scale


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
