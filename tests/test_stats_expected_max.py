from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest

from audit.stats import StatsInputError, expected_max

# The reference: validation scores of five random-search trials.
SCORES = [0.7, 0.8, 0.75, 0.9, 0.85]
MEANS = [Fraction(4, 5), Fraction(21, 25), Fraction(43, 50), Fraction(2724, 3125)]
MEANS.append(Fraction(1099, 1250))
VARIANCES = [Fraction(1, 200), Fraction(17, 5000), Fraction(7, 3125)]
VARIANCES += [Fraction(120467, 78125000), Fraction(431, 390625)]


def test_it_gives_the_reference_means_and_variances_for_budgets_one_to_five():
    result = expected_max(SCORES)

    assert result.budgets.tolist() == [1, 2, 3, 4, 5]
    assert result.mean == pytest.approx([float(m) for m in MEANS], abs=1e-15)
    assert result.variance == pytest.approx([float(v) for v in VARIANCES], abs=1e-15)


def test_it_names_the_standard_deviation_that_show_your_work_calls_var():
    result = expected_max(SCORES)

    assert result.std == pytest.approx(np.sqrt([float(v) for v in VARIANCES]), rel=1e-12)
    assert result.std[0] == pytest.approx(np.std(SCORES), rel=1e-12)


def test_it_takes_budgets_beyond_the_number_of_trials_when_drawing_with_replacement():
    result = expected_max(SCORES, budgets=[5, 50])

    assert result.mean[0] == pytest.approx(float(MEANS[4]), abs=1e-15)
    assert 0.899 < result.mean[1] < 0.9


def test_without_replacement_it_averages_the_best_of_every_subset():
    scores = [0.61, 0.7, 0.7, 0.55, 0.8, 0.64]

    result = expected_max(scores, with_replacement=False)

    for n in range(1, len(scores) + 1):
        subsets = [max(subset) for subset in combinations(scores, n)]
        assert result.mean[n - 1] == pytest.approx(np.mean(subsets), abs=1e-12)
        assert result.variance[n - 1] == pytest.approx(np.var(subsets), abs=1e-12)


def test_without_replacement_it_stays_finite_for_thousands_of_trials():
    scores = np.random.default_rng(3).normal(0.8, 0.02, 2000)

    result = expected_max(scores, with_replacement=False)

    assert np.isfinite(result.mean).all()
    assert (np.diff(result.mean) >= -1e-12).all()
    assert result.mean[-1] == pytest.approx(scores.max(), abs=1e-9)
    assert result.variance[-1] == pytest.approx(0, abs=1e-9)


def test_without_replacement_a_budget_cannot_exceed_the_trials():
    with pytest.raises(StatsInputError, match="at most 5"):
        expected_max(SCORES, budgets=[6], with_replacement=False)


def test_it_serializes_its_curves_as_lists():
    assert expected_max(SCORES, budgets=[1]).to_dict() == {
        "budgets": [1],
        "mean": [pytest.approx(0.8)],
        "variance": [pytest.approx(0.005)],
        "std": [pytest.approx(np.sqrt(0.005))],
        "with_replacement": True,
    }
