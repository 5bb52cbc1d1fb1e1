import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import f1_score

from audit.stats import StatsInputError, bootstrap_ci
from audit.stats.estimators import one_sample


def scipy_interval(data, statistic, method, n_resamples=10_000, **options):
    result = stats.bootstrap(
        data, statistic, n_resamples=n_resamples, method=method, random_state=7, **options
    )
    return result.confidence_interval, result.standard_error


@pytest.fixture(scope="module")
def scores():
    return np.random.default_rng(11).gamma(2.0, 0.1, 2000)


@pytest.mark.parametrize("method", ["percentile", "bca"])
@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_it_matches_scipy_bootstrap_on_the_same_scores(scores, statistic, method):
    expected, standard_error = scipy_interval(
        (scores,), getattr(np, statistic), "BCa" if method == "bca" else method, batch=1000
    )

    result = bootstrap_ci(scores, statistic, method=method, seed=1)

    # Each end is a 2.5% quantile of 10,000 replicates: its Monte-Carlo sd is about 0.03 SE.
    assert result.low == pytest.approx(expected.low, abs=0.15 * standard_error)
    assert result.high == pytest.approx(expected.high, abs=0.15 * standard_error)
    assert result.standard_error == pytest.approx(standard_error, rel=0.05)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_it_matches_scipy_for_accuracy_from_correctness(method):
    correct = (np.random.default_rng(5).random(400) < 0.83).astype(float)
    expected, standard_error = scipy_interval(
        (correct,), np.mean, "BCa" if method == "bca" else method
    )

    result = bootstrap_ci(correct, "accuracy", method=method, seed=2)

    assert result.estimate == correct.mean()
    # Accuracy moves in steps of 1/400, so the ends may land one step apart.
    assert result.low == pytest.approx(expected.low, abs=max(0.15 * standard_error, 1 / 400))
    assert result.high == pytest.approx(expected.high, abs=max(0.15 * standard_error, 1 / 400))


def test_macro_f1_matches_scikit_learn_and_scipy_bootstrap():
    pairs = label_pairs(np.random.default_rng(8), 300)
    expected, standard_error = scipy_interval(
        (pairs[:, 0], pairs[:, 1]),
        lambda gold, predicted: f1_score(gold, predicted, average="macro"),
        "BCa",
        n_resamples=1000,
        paired=True,
        vectorized=False,
    )

    result = bootstrap_ci(pairs, "macro_f1", method="bca", seed=3)

    assert result.estimate == pytest.approx(macro_f1(pairs))
    # scipy had 1,000 replicates here: its ends carry about 0.07 SE of Monte-Carlo error.
    assert result.low == pytest.approx(expected.low, abs=0.3 * standard_error)
    assert result.high == pytest.approx(expected.high, abs=0.3 * standard_error)


def label_pairs(rng, size):
    gold = rng.integers(0, 3, size)
    return np.c_[gold, np.where(rng.random(size) < 0.5, gold, rng.integers(0, 3, size))]


def macro_f1(pairs):
    return f1_score(pairs[:, 0], pairs[:, 1], average="macro")


JACKKNIFE_CASES = {
    "mean": (lambda rng, size: rng.normal(size=size), np.mean),
    "median": (lambda rng, size: rng.normal(size=size), np.median),
    # Enough items that the 0/1 scores are tabulated rather than gathered.
    "accuracy": (lambda rng, size: rng.integers(0, 2, 8 * size).astype(float), np.mean),
    "macro_f1": (label_pairs, macro_f1),
}


@pytest.mark.parametrize("size", [6, 7])
@pytest.mark.parametrize("statistic", JACKKNIFE_CASES)
def test_its_closed_form_jackknife_equals_leaving_each_item_out(statistic, size):
    make_values, compute = JACKKNIFE_CASES[statistic]
    values = make_values(np.random.default_rng(size), size)

    left_out, weights = one_sample(values, statistic).jackknife()

    brute_force = [compute(np.delete(values, i, axis=0)) for i in range(len(values))]
    expanded = np.repeat(left_out, weights.astype(int))
    assert np.sort(expanded) == pytest.approx(np.sort(brute_force), abs=1e-12)


def coverage(draw, statistic, method, truth, data_sets=2000):
    rng = np.random.default_rng(2024)
    covered = 0
    for index in range(data_sets):
        interval = bootstrap_ci(draw(rng), statistic, 1000, method=method, seed=index)
        covered += interval.low <= truth <= interval.high
    return covered / data_sets


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_its_95_percent_interval_covers_a_known_mean_95_percent_of_the_time(method):
    share = coverage(lambda rng: rng.normal(0.7, 0.1, 200), "mean", method, truth=0.7)

    assert 0.93 <= share <= 0.97


def correctness(rng):
    return (rng.random(200) < 0.8).astype(float)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_its_95_percent_interval_covers_a_known_accuracy_95_percent_of_the_time(method):
    share = coverage(correctness, "accuracy", method, truth=0.8)

    assert 0.93 <= share <= 0.97


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_scores_without_spread_have_the_point_as_their_interval(method):
    # 0.8 three times: the mean is 0.8 give or take an ulp, and so is every replicate.
    result = bootstrap_ci([0.8, 0.8, 0.8], method=method, seed=1)

    assert result.low == pytest.approx(0.8) == result.high


def test_the_same_seed_gives_the_same_interval_and_another_seed_another():
    scores = np.random.default_rng(0).normal(size=500)

    first, again = bootstrap_ci(scores, seed=42), bootstrap_ci(scores, seed=42)
    other = bootstrap_ci(scores, seed=43)

    assert first == again
    assert (other.low, other.high) != (first.low, first.high)


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([1.0, np.nan, 2.0], {}, "NaN"),
        ([1.0], {}, "at least 2"),
        ([[1.0, 2.0]], {}, "flat list"),
        ([0, 1, 2], {"statistic": "accuracy"}, "0/1"),
        ([1.0, 2.0], {"method": "basic"}, "method must be one of"),
        ([1.0, 2.0], {"statistic": "mode"}, "statistic must be one of"),
        ([1.0, 2.0], {"confidence": 95}, "between 0 and 1"),
        ([1.0, 2.0], {"n_resamples": 0}, "positive whole number"),
    ],
)
def test_it_rejects_input_it_cannot_use_with_a_message(values, options, message):
    with pytest.raises(StatsInputError, match=message):
        bootstrap_ci(values, **options)
