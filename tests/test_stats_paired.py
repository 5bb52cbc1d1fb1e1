import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import f1_score

from audit.stats import StatsInputError, paired_bootstrap, permutation_test
from audit.stats.estimators import paired


def mean_difference(x, y, axis=-1):
    return np.mean(x - y, axis=axis)


def macro_f1_difference(gold, first, second):
    return f1_score(gold, first, average="macro") - f1_score(gold, second, average="macro")


@pytest.fixture(scope="module")
def correlated():
    """Per-example scores dominated by how hard each example is, as in real test sets: B is A
    minus a small, noisy gap, so only a paired analysis can see the gap."""
    rng = np.random.default_rng(17)
    difficulty = rng.normal(0.5, 0.2, 1000)
    return difficulty + rng.normal(0.004, 0.05, 1000), difficulty


@pytest.fixture(scope="module")
def system_labels():
    rng = np.random.default_rng(9)
    gold = rng.integers(0, 3, 150)
    first = np.where(rng.random(150) < 0.72, gold, rng.integers(0, 3, 150))
    second = np.where(rng.random(150) < 0.64, gold, rng.integers(0, 3, 150))
    return gold, first, second


def exact_bootstrap_p(wins, losses, n, alternative):
    """The paired bootstrap p-value of an accuracy difference, summed over every resample:
    a resample holds (N+, N-) ~ Multinomial(n; wins/n, losses/n) examples that only A, or only
    B, got right, and its difference is (N+ - N-) / n."""
    plus = np.arange(n + 1)[:, None]
    minus = np.arange(n + 1)[None, :]
    probability = stats.binom.pmf(plus, n, wins / n) * stats.binom.pmf(
        minus, n - plus, losses / (n - wins)
    )
    observed = wins - losses
    shifted = plus - minus - observed
    beyond = shifted >= observed if alternative == "greater" else abs(shifted) >= abs(observed)
    return probability[beyond].sum()


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_its_p_value_for_an_accuracy_difference_is_the_exact_bootstrap_p(alternative):
    # 200 examples: 22 only A gets right, 10 only B, the rest both or neither.
    a = np.r_[np.ones(22), np.zeros(10), np.ones(100), np.zeros(68)]
    b = np.r_[np.zeros(22), np.ones(10), np.ones(100), np.zeros(68)]
    expected = exact_bootstrap_p(22, 10, 200, alternative)

    result = paired_bootstrap(a, b, "accuracy", alternative=alternative, seed=4)

    assert result.difference == pytest.approx(0.06)
    # 4 Monte-Carlo standard errors of a p-value near 0.03 from 10,000 resamples.
    assert result.p_value == pytest.approx(expected, abs=0.007)


def test_it_keeps_the_pairs_together_when_examples_differ_in_difficulty(correlated):
    a, b = correlated
    differences = a - b
    # The resampled mean difference is close to normal with the sd of the differences / √n.
    z = differences.mean() / (differences.std() / np.sqrt(differences.size))
    paired_p = 2 * stats.norm.sf(abs(z))

    result = paired_bootstrap(a, b, seed=5)

    assert 0.005 < paired_p < 0.05
    assert result.p_value == pytest.approx(paired_p, abs=0.01)
    assert result.low > 0


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_its_interval_of_the_difference_matches_scipy_paired_bootstrap(correlated, method):
    a, b = correlated
    scipy_result = stats.bootstrap(
        (a, b),
        mean_difference,
        paired=True,
        method="BCa" if method == "bca" else method,
        random_state=3,
        batch=1000,
    )

    result = paired_bootstrap(a, b, method=method, seed=6)

    tolerance = 0.15 * scipy_result.standard_error
    assert result.low == pytest.approx(scipy_result.confidence_interval.low, abs=tolerance)
    assert result.high == pytest.approx(scipy_result.confidence_interval.high, abs=tolerance)


def test_its_macro_f1_difference_interval_matches_scipy(system_labels):
    gold, first, second = system_labels
    scipy_result = stats.bootstrap(
        system_labels,
        macro_f1_difference,
        paired=True,
        vectorized=False,
        method="percentile",
        n_resamples=1000,
        random_state=3,
    )

    result = paired_bootstrap(np.c_[gold, first], np.c_[gold, second], "macro_f1", seed=7)

    assert result.difference == pytest.approx(macro_f1_difference(gold, first, second))
    tolerance = 0.3 * scipy_result.standard_error
    assert result.low == pytest.approx(scipy_result.confidence_interval.low, abs=tolerance)
    assert result.high == pytest.approx(scipy_result.confidence_interval.high, abs=tolerance)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_its_permutation_p_value_matches_scipy(correlated, alternative):
    a, b = (scores[:300] for scores in correlated)
    expected = stats.permutation_test(
        (a, b),
        mean_difference,
        permutation_type="samples",
        vectorized=True,
        alternative=alternative,
        random_state=8,
    ).pvalue

    result = permutation_test(a, b, alternative=alternative, seed=9)

    assert result.p_value == pytest.approx(expected, abs=0.012)


def test_its_permutation_p_value_matches_scipy_exact_enumeration_on_few_examples():
    rng = np.random.default_rng(21)
    a, b = rng.normal(0.7, 0.1, 12), rng.normal(0.55, 0.1, 12)
    # 2**12 swap patterns is fewer than 10,000 resamples, so scipy enumerates them all.
    exact = stats.permutation_test(
        (a, b), mean_difference, permutation_type="samples", vectorized=True
    ).pvalue

    result = permutation_test(a, b, seed=10)

    assert 0.02 < exact < 0.1
    # About 3.5 Monte-Carlo standard errors of a two-sided p-value near 0.04.
    assert result.p_value == pytest.approx(exact, abs=0.012)


def test_its_permutation_p_value_for_accuracy_matches_scipy():
    rng = np.random.default_rng(22)
    truth = rng.random(300)
    a, b = (truth < 0.78).astype(float), (rng.random(300) < 0.72).astype(float)
    expected = stats.permutation_test(
        (a, b), mean_difference, permutation_type="samples", vectorized=True, random_state=1
    ).pvalue

    result = permutation_test(a, b, "accuracy", seed=11)

    assert 0.01 < expected < 0.5
    assert result.p_value == pytest.approx(expected, abs=0.015)


def test_its_permutation_p_value_for_macro_f1_matches_scipy(system_labels):
    gold, first, second = system_labels
    expected = stats.permutation_test(
        (first, second),
        lambda x, y: macro_f1_difference(gold, x, y),
        permutation_type="samples",
        n_resamples=1000,
        random_state=2,
    ).pvalue

    result = permutation_test(np.c_[gold, first], np.c_[gold, second], "macro_f1", seed=12)

    assert 0.01 < expected < 0.5
    # scipy's 1,000 resamples leave it about 0.01 of Monte-Carlo error here.
    assert result.p_value == pytest.approx(expected, abs=0.04)


def assert_jackknife_leaves_each_example_out(estimator, compute, size):
    left_out, weights = estimator.jackknife()

    everyone = np.arange(size)
    brute_force = [compute(everyone != i) for i in everyone]
    expanded = np.repeat(left_out, weights.astype(int))
    assert np.sort(expanded) == pytest.approx(np.sort(brute_force), abs=1e-12)


def test_its_paired_mean_jackknife_equals_leaving_each_example_out():
    rng = np.random.default_rng(30)
    a, b = rng.normal(size=40), rng.normal(size=40)

    assert_jackknife_leaves_each_example_out(
        paired(a, b, "mean"), lambda keep: np.mean(a[keep] - b[keep]), 40
    )


def test_its_paired_macro_f1_jackknife_equals_leaving_each_example_out(system_labels):
    gold, first, second = (labels[:40] for labels in system_labels)

    assert_jackknife_leaves_each_example_out(
        paired(np.c_[gold, first], np.c_[gold, second], "macro_f1"),
        lambda keep: macro_f1_difference(gold[keep], first[keep], second[keep]),
        40,
    )


def test_it_refuses_two_systems_scored_against_different_gold_labels(system_labels):
    gold, first, second = system_labels

    with pytest.raises(StatsInputError, match="same gold labels"):
        paired_bootstrap(np.c_[gold, first], np.c_[second, second], "macro_f1")


def test_it_refuses_scores_of_different_test_sets():
    with pytest.raises(StatsInputError, match="same examples"):
        permutation_test([0.1, 0.2, 0.3], [0.1, 0.2])


def test_it_refuses_a_median_difference_it_does_not_define():
    with pytest.raises(StatsInputError, match="statistic must be one of"):
        paired_bootstrap([0.1, 0.2, 0.3], [0.1, 0.2, 0.4], "median")
