"""The shared resampling engine: reproducible whatever the threads, and the same answers from
its torch backend as from NumPy's. The torch code runs here on the CPU
(`device=torch.device("cpu")`); on a machine with a GPU the same tests run on "cuda"."""

import numpy as np
import pytest
import torch
from scipy import stats

from audit.stats import (
    StatsInputError,
    aso,
    bootstrap_ci,
    paired_bootstrap,
    permutation_test,
    resampling,
)
from audit.stats.resampling import NumpyBackend

# torch on a CPU is only here to run the torch code; fewer resamples keep it quick.
QUICK = 2000
TORCH_DEVICES = [
    pytest.param(torch.device("cpu"), id="torch-cpu"),
    pytest.param(
        "cuda",
        id="cuda",
        marks=[
            pytest.mark.gpu,
            pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
        ],
    ),
]


@pytest.fixture(scope="module")
def scores():
    return np.random.default_rng(50).normal(0.6, 0.15, 1000)


def test_the_answer_depends_on_the_seed_not_on_how_many_threads_ran(scores, monkeypatch):
    monkeypatch.setattr(resampling, "THREADS_MIN_ELEMENTS", 0)
    monkeypatch.setattr(resampling, "available_cpus", lambda: 4)
    threaded = bootstrap_ci(scores, n_resamples=5000, seed=3)
    monkeypatch.setattr(resampling, "available_cpus", lambda: 1)

    sequential = bootstrap_ci(scores, n_resamples=5000, seed=3)

    assert threaded == sequential


@pytest.mark.parametrize("n", [7, 1000, 100_003])
def test_bootstrap_indices_are_uniform_over_the_items(n):
    backend = NumpyBackend(np.random.SeedSequence(n))
    draws = max(1, 400_000 // n)

    counts = np.bincount(backend.indices(draws, n).ravel(), minlength=n)

    assert counts.size == n
    if n < 10_000:
        assert stats.chisquare(counts).pvalue > 0.001
    else:
        # Too few draws per item for chi-square; 4 draws each on average, Poisson-spread.
        assert counts.mean() == pytest.approx(draws, rel=1e-12)
        assert counts.var() == pytest.approx(draws, rel=0.05)


def split_sums(values, seed):
    backend = NumpyBackend(np.random.SeedSequence(seed))
    return backend.resample_sums(np.asarray(values, dtype=np.float64))


def test_resampled_sums_draw_n_items_each_uniformly():
    # Item i is worth 8**i, so a sum spells out in base 8 how often each of the 7 items was drawn.
    draw = split_sums(8.0 ** np.arange(7), seed=1)

    sums = np.concatenate([draw(1000) for _ in range(40)]).astype(np.int64)

    counts = sums[:, None] // 8 ** np.arange(7) % 8
    assert (counts.sum(1) == 7).all()
    assert stats.chisquare(counts.sum(0)).pvalue > 0.001


def test_resampled_sums_of_many_items_have_the_bootstrap_mean_and_spread():
    # 200,003 items: parts of 2**17 and more take 32-bit draws, the rest 16-bit ones.
    n = 200_003
    positions = np.arange(n, dtype=np.float64)
    draw = split_sums(positions, seed=2)

    means = np.concatenate([draw(50) for _ in range(20)]) / n

    standard_error = positions.std() / np.sqrt(n)
    assert means.mean() == pytest.approx(positions.mean(), abs=4 * standard_error / np.sqrt(1000))
    assert means.std() == pytest.approx(standard_error, rel=0.1)


def test_coin_flips_are_fair_and_independent_of_position():
    flips = NumpyBackend(np.random.SeedSequence(1)).bits(4000, 100)

    assert set(np.unique(flips)) == {0, 1}
    assert flips.mean() == pytest.approx(0.5, abs=0.003)
    assert stats.chisquare(flips.sum(0)).pvalue > 0.001


@pytest.mark.parametrize("device", TORCH_DEVICES)
@pytest.mark.parametrize("statistic", ["mean", "median", "accuracy", "macro_f1"])
def test_torch_gives_numpys_interval_within_monte_carlo_error(device, statistic, scores):
    if statistic == "accuracy":
        values = (scores > 0.55).astype(float)
    elif statistic == "macro_f1":
        gold = (scores * 10).astype(int) % 3
        values = np.c_[gold, np.where(scores > 0.5, gold, (gold + 1) % 3)]
    else:
        values = scores
    expected = bootstrap_ci(values, statistic, QUICK, method="bca", seed=1)

    result = bootstrap_ci(values, statistic, QUICK, method="bca", seed=1, device=device)

    assert result.estimate == pytest.approx(expected.estimate, rel=1e-12)
    # Each end of each interval carries a Monte-Carlo sd of about 0.06 SE at 2,000 resamples.
    tolerance = max(0.3 * expected.standard_error, 1 / len(values))
    assert result.low == pytest.approx(expected.low, abs=tolerance)
    assert result.high == pytest.approx(expected.high, abs=tolerance)


@pytest.mark.parametrize("device", TORCH_DEVICES)
@pytest.mark.parametrize("statistic", ["mean", "accuracy", "macro_f1"])
def test_torch_gives_numpys_paired_p_values_within_monte_carlo_error(device, statistic):
    rng = np.random.default_rng(51)
    if statistic == "macro_f1":
        gold = rng.integers(0, 3, 400)
        a = np.c_[gold, np.where(rng.random(400) < 0.7, gold, rng.integers(0, 3, 400))]
        b = np.c_[gold, np.where(rng.random(400) < 0.6, gold, rng.integers(0, 3, 400))]
    else:
        difficulty = rng.random(400)
        a, b = difficulty + rng.normal(0.008, 0.08, 400), difficulty
        if statistic == "accuracy":
            a, b = (a > 0.5).astype(float), (b > 0.5).astype(float)
    bootstrap = paired_bootstrap(a, b, statistic, QUICK, seed=2)
    permutation = permutation_test(a, b, statistic, QUICK, seed=3)

    on_torch = paired_bootstrap(a, b, statistic, QUICK, seed=2, device=device)
    permuted_on_torch = permutation_test(a, b, statistic, QUICK, seed=3, device=device)

    assert 0.002 < permutation.p_value < 0.2
    # A p-value below 0.2 from 2,000 resamples has a Monte-Carlo sd below 0.013.
    assert on_torch.p_value == pytest.approx(bootstrap.p_value, abs=0.04)
    assert permuted_on_torch.p_value == pytest.approx(permutation.p_value, abs=0.04)


@pytest.mark.parametrize("device", TORCH_DEVICES)
@pytest.mark.parametrize("mode", ["del_barrio", "deepsig"])
def test_torch_gives_numpys_aso_within_monte_carlo_error(device, mode):
    rng = np.random.default_rng(52)
    a, b = rng.normal(0.505, 0.04, 30), rng.normal(0.5, 0.05, 25)
    expected = aso(a, b, mode=mode, seed=4)

    result = aso(a, b, mode=mode, seed=4, device=device)

    assert result.violation_ratio == expected.violation_ratio
    assert result.epsilon_min == pytest.approx(expected.epsilon_min, abs=0.06)


@pytest.mark.parametrize("device", TORCH_DEVICES)
def test_torch_repeats_its_answer_for_the_same_seed(device, scores):
    first = bootstrap_ci(scores, n_resamples=QUICK, seed=9, device=device)

    assert bootstrap_ci(scores, n_resamples=QUICK, seed=9, device=device) == first


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_asking_for_a_gpu_that_is_not_there_says_so(scores):
    with pytest.raises(StatsInputError, match="no CUDA GPU is available"):
        bootstrap_ci(scores, device="cuda")
