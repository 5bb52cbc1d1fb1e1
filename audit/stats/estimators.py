"""The statistics that `audit.stats` resamples, as the resampling engine sees them.

Each estimator knows its point estimate, draws its bootstrap replicates (and, when it estimates a
paired difference, its permutation null distribution) through `draw_replicates`, and gives its
leave-one-out (jackknife) values in closed form, so that BCa never recomputes the statistic n times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from audit.stats.inputs import (
    StatsInputError,
    choice,
    correctness_array,
    label_pairs,
    same_length,
    scores_array,
)
from audit.stats.resampling import Backend, NumpyBackend, draw_replicates

if TYPE_CHECKING:
    from audit.stats.resampling import Array, Device

STATISTICS = ("mean", "median", "accuracy", "macro_f1")
PAIRED_STATISTICS = ("mean", "accuracy", "macro_f1")

# A mean of data with few distinct values depends only on how often each value occurs, and those
# counts in a bootstrap resample are multinomial: one draw per distinct value instead of one per
# item. Worth it once there are at least this many items per distinct value.
ITEMS_PER_VALUE_FOR_COUNTS = 16


class Estimator(Protocol):
    n: int
    estimate: float

    def bootstrap(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray: ...

    def jackknife(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct leave-one-out values of the statistic and how many items give each."""
        ...


class PairedEstimator(Estimator, Protocol):
    def permutation(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        """The statistic with each example's two scores swapped at random, once per resample."""
        ...


class SampleMean:
    """Mean of n scores; each resample's sum comes from the backend's `resample_sums`."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.n = values.size
        self.estimate = float(values.mean())

    def bootstrap(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        n = self.n
        # Centred, the sums are of the spread's size, not the level's: no digits lost to the level.
        centred = self.values - self.estimate

        def kernel(backend: Backend) -> Any:
            return backend.resample_sums(centred)

        return self.estimate + draw_replicates(device, seed, n_resamples, n, kernel) / n

    def jackknife(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.n * self.estimate - self.values) / (self.n - 1), np.ones(self.n)

    def permutation(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        # The values are paired differences a - b; swapping an example's scores flips its sign.
        n, total = self.n, float(self.values.sum())

        def kernel(backend: Backend) -> Any:
            differences = backend.asarray(self.values)
            return lambda rows: (2 * (backend.bits(rows, n) * differences).sum(1) - total) / n

        return draw_replicates(device, seed, n_resamples, n, kernel)


class TabulatedMean:
    """Mean of scores that take few distinct values (accuracy's 0/1, differences of them),
    resampled through the multinomial counts of those values."""

    def __init__(self, values: np.ndarray, counts: np.ndarray) -> None:
        self.values = values
        self.counts = counts.astype(np.float64)
        self.n = int(counts.sum())
        self.estimate = float(self.counts @ values / self.n)

    def bootstrap(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        probabilities = self.counts / self.n

        def kernel(backend: Backend) -> Any:
            values = backend.asarray(self.values)
            return lambda rows: backend.multinomial(self.n, probabilities, rows) @ values / self.n

        return draw_replicates(device, seed, n_resamples, self.values.size, kernel)

    def jackknife(self) -> tuple[np.ndarray, np.ndarray]:
        present = self.counts > 0
        left_out = (self.n * self.estimate - self.values[present]) / (self.n - 1)
        return left_out, self.counts[present]

    def permutation(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        # The values are paired differences, tabulated with their negatives (see `_mean`), so a
        # swap moves a Binomial(count, 1/2) share of each value's examples to its negative.
        negative = np.searchsorted(self.values, -self.values)

        def kernel(backend: Backend) -> Any:
            counts = backend.asarray(self.counts)
            values = backend.asarray(self.values)
            flip = backend.asarray(negative)

            def draw(rows: int) -> Array:
                swapped = backend.binomial(self.counts, 0.5, rows)
                return (counts - swapped + swapped[:, flip]) @ values / self.n

            return draw

        return draw_replicates(device, seed, n_resamples, self.values.size, kernel)


class SampleMedian:
    """Median of n scores. Resamples gather ranks, not values: the k-th smallest of
    sorted[idx] is sorted[k-th smallest idx], so the answer is exact in float64."""

    def __init__(self, values: np.ndarray) -> None:
        self.sorted = np.sort(values)
        self.n = values.size
        self.estimate = float(np.median(values))

    def bootstrap(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        n = self.n
        middle = [(n - 1) // 2, n // 2]

        def kernel(backend: Backend) -> Any:
            ordered = backend.asarray(self.sorted)

            def draw(rows: int) -> Array:
                ranks = backend.order_statistics(backend.indices(rows, n), middle)
                return (ordered[ranks[:, 0]] + ordered[ranks[:, 1]]) / 2

            return draw

        return draw_replicates(device, seed, n_resamples, n, kernel)

    def jackknife(self) -> tuple[np.ndarray, np.ndarray]:
        # Leaving one item out moves the median to one of at most three values, depending only
        # on whether the item ranked below, at or above the middle.
        s, n = self.sorted, self.n
        half = n // 2
        if n % 2:
            values = [(s[half] + s[half + 1]) / 2, (s[half - 1] + s[half + 1]) / 2]
            values.append((s[half - 1] + s[half]) / 2)
            return np.array(values), np.array([half, 1, half], dtype=np.float64)
        return np.array([s[half], s[half - 1]]), np.array([half, half], dtype=np.float64)


class MacroF1:
    """Macro-averaged F1 of one system's predictions, or the difference between two systems'
    predictions for the same gold labels. Labels are coded 0..k-1.

    As in scikit-learn, a resample averages over the classes that occur in its gold labels or
    predictions, and a class's F1 is 2·TP / (predicted + gold).
    """

    def __init__(self, gold: np.ndarray, predictions: list[np.ndarray], k: int) -> None:
        self.gold = gold
        self.predictions = predictions
        self.k = k
        self.n = gold.size
        observed = self._score(NumpyBackend, gold[None], [p[None] for p in predictions])
        self.estimate = float(observed[0])

    def bootstrap(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        def kernel(backend: Backend) -> Any:
            gold = backend.asarray(self.gold)
            predictions = [backend.asarray(predicted) for predicted in self.predictions]

            def draw(rows: int) -> Array:
                picked = backend.indices(rows, self.n)
                return self._score(backend, gold[picked], [p[picked] for p in predictions])

            return draw

        return draw_replicates(device, seed, n_resamples, self.n, kernel)

    def permutation(self, device: Device, seed: int | None, n_resamples: int) -> np.ndarray:
        def kernel(backend: Backend) -> Any:
            # Gold stays (1, n) and broadcasts against the (rows, n) swapped predictions.
            gold = backend.asarray(self.gold[None])
            first, second = (backend.asarray(predicted) for predicted in self.predictions)

            def draw(rows: int) -> Array:
                keep = backend.bits(rows, self.n)
                swapped = [keep * first + (1 - keep) * second, keep * second + (1 - keep) * first]
                return self._score(backend, gold, swapped)

            return draw

        return draw_replicates(device, seed, n_resamples, self.n, kernel)

    def jackknife(self) -> tuple[np.ndarray, np.ndarray]:
        # Group the examples by their (gold, predictions) labels: leaving out any example of a
        # group gives the same value, and only the classes it touches change their F1.
        records = np.stack([self.gold, *self.predictions], axis=1)
        distinct, counts = np.unique(records, axis=0, return_counts=True)
        scores = [
            _macro_f1_leaving_out(
                *(part[0] for part in _confusion(NumpyBackend, self.gold[None], p[None], self.k)),
                distinct[:, 0],
                distinct[:, column],
            )
            for column, p in enumerate(self.predictions, start=1)
        ]
        return _difference(scores), counts.astype(np.float64)

    def _score(self, backend: Any, gold: Array, predictions: list[Array]) -> Array:
        return _difference(
            [_macro_f1(*_confusion(backend, gold, predicted, self.k)) for predicted in predictions]
        )


def _difference(scores: list[Any]) -> Any:
    """One system's score, or the first system's minus the second's."""
    return scores[0] if len(scores) == 1 else scores[0] - scores[1]


def _confusion(backend: Any, gold: Array, predicted: Array, k: int) -> tuple[Array, Array, Array]:
    """Per-row true positives, predicted counts and gold counts for each class: (rows, k) each."""
    # A miss is counted in an extra class k, which is then dropped.
    hit_class = gold + (gold != predicted) * (k - gold)
    true_positive = backend.bincount_rows(hit_class, k + 1)[:, :k]
    return true_positive, backend.bincount_rows(predicted, k), backend.bincount_rows(gold, k)


def _class_f1(true_positive: Array, predicted: Array, gold: Array) -> tuple[Array, Array]:
    total = predicted + gold
    present = total > 0
    return 2 * true_positive / (total + ~present), present


def _macro_f1(true_positive: Array, predicted: Array, gold: Array) -> Array:
    f1, present = _class_f1(true_positive, predicted, gold)
    return f1.sum(-1) / present.sum(-1)


def _macro_f1_leaving_out(
    true_positive: np.ndarray,
    predicted: np.ndarray,
    gold: np.ndarray,
    gold_of: np.ndarray,
    predicted_of: np.ndarray,
) -> np.ndarray:
    """Macro-F1 without one example, for examples labelled (gold_of[i], predicted_of[i])."""
    f1, present = _class_f1(true_positive, predicted, gold)
    present = present.astype(np.int64)
    hit = (gold_of == predicted_of).astype(np.int64)
    miss = 1 - hit
    g, p = gold_of, predicted_of
    f1_g, present_g = _class_f1(true_positive[g] - hit, predicted[g] - hit, gold[g] - 1)
    # On a miss the predicted class loses one prediction too; on a hit it is class g itself.
    f1_p, present_p = _class_f1(true_positive[p], predicted[p] - 1, gold[p])
    total = f1.sum() - f1[g] + f1_g + miss * (f1_p - f1[p])
    classes = present.sum() - present[g] + present_g + miss * (present_p - present[p])
    return total / classes


def one_sample(values: Any, statistic: str) -> Estimator:
    """The estimator of `statistic` on one system's per-example (or per-run) scores."""
    choice(statistic, STATISTICS, "statistic")
    if statistic == "macro_f1":
        pairs = label_pairs(values, "values", min_size=2)
        gold, (predicted,), k = _label_codes(pairs[:, 0], [pairs[:, 1]])
        return MacroF1(gold, [predicted], k)
    if statistic == "accuracy":
        return _mean(correctness_array(values, "values", min_size=2))
    scores = scores_array(values, "values", min_size=2)
    return SampleMedian(scores) if statistic == "median" else _mean(scores)


def paired(a: Any, b: Any, statistic: str) -> PairedEstimator:
    """The estimator of statistic(a) - statistic(b) for two systems on the same examples."""
    choice(statistic, PAIRED_STATISTICS, "statistic")
    if statistic == "macro_f1":
        first, second = label_pairs(a, "a", min_size=2), label_pairs(b, "b", min_size=2)
        same_length(first, second)
        if not np.array_equal(first[:, 0], second[:, 0]):
            raise StatsInputError("both systems must be scored against the same gold labels")
        gold, predictions, k = _label_codes(first[:, 0], [first[:, 1], second[:, 1]])
        return MacroF1(gold, predictions, k)
    read = correctness_array if statistic == "accuracy" else scores_array
    first, second = read(a, "a", min_size=2), read(b, "b", min_size=2)
    same_length(first, second)
    return _mean(first - second, paired_differences=True)


def _mean(values: np.ndarray, paired_differences: bool = False) -> SampleMean | TabulatedMean:
    distinct, counts = np.unique(values, return_counts=True)
    if paired_differences:
        # Tabulate each difference with its negative, where a swap of the pair sends it.
        symmetric = np.union1d(distinct, -distinct)
        tabulated = np.zeros(symmetric.size)
        tabulated[np.searchsorted(symmetric, distinct)] = counts
        distinct, counts = symmetric, tabulated
    if distinct.size * ITEMS_PER_VALUE_FOR_COUNTS <= values.size:
        return TabulatedMean(distinct, counts)
    return SampleMean(values)


def _label_codes(
    gold: np.ndarray, predictions: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray], int]:
    labels, codes = np.unique(np.concatenate([gold, *predictions]), return_inverse=True)
    parts = np.split(codes.astype(np.int64), len(predictions) + 1)
    return parts[0], parts[1:], labels.size
