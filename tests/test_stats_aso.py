import warnings

import numpy as np
import pytest
from deepsig import aso as deepsig_aso

from audit.stats import StatsInputError, aso


@pytest.fixture(scope="module")
def reference():
    """The issue's reference samples."""
    rng = np.random.default_rng(0)
    return rng.normal(0.5, 0.05, 20), rng.normal(0.48, 0.05, 20)


def test_deepsig_mode_gives_deepsigs_violation_ratio_to_the_last_digits(reference):
    result = aso(*reference, mode="deepsig", seed=1)

    assert result.violation_ratio == pytest.approx(0.3750345338182511, rel=1e-12)


def test_deepsig_mode_gives_deepsigs_epsilon_min_within_monte_carlo_error(reference):
    # deepsig.aso(a, b, seed=1234) gave 0.9047205044727509; its sd over seeds is about 0.008.
    results = [aso(*reference, mode="deepsig", seed=seed).epsilon_min for seed in range(5)]

    assert np.mean(results) == pytest.approx(0.9047205044727509, abs=0.015)
    assert np.std(results) < 0.02


def test_deepsig_mode_agrees_with_deepsig_run_on_the_same_samples():
    rng = np.random.default_rng(31)
    a, b = rng.normal(0.505, 0.04, 30), rng.normal(0.5, 0.05, 25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deepsig's deprecation notices
        expected = deepsig_aso(a, b, seed=7, show_progress=False)

    results = [aso(a, b, mode="deepsig", seed=seed).epsilon_min for seed in range(10)]

    assert 0.1 < expected < 0.9
    # deepsig's single run carries a Monte-Carlo sd of about 0.015; the mean of ours, a third.
    assert np.mean(results) == pytest.approx(expected, abs=0.05)


def test_the_default_integrates_the_step_quantile_functions_exactly():
    # F⁻¹ is 0 then 3 (steps at 1/2); G⁻¹ is 1, 1, 2 (steps at 1/3, 2/3). G⁻¹ - F⁻¹ is 1 on
    # (0, 1/2], -2 on (1/2, 2/3] and -1 on (2/3, 1]: violated on 1/2 of the 3/2 squared distance.
    result = aso([0.0, 3.0], [1.0, 1.0, 2.0], seed=1)

    assert result.violation_ratio == pytest.approx(1 / 3, abs=1e-15)


def test_the_default_violation_ratios_of_a_over_b_and_b_over_a_add_up_to_one(reference):
    a, b = reference

    forward, reverse = aso(a, b, seed=1), aso(b, a, seed=1)

    assert forward.violation_ratio + reverse.violation_ratio == pytest.approx(1, abs=1e-12)


def test_total_domination_scores_one_by_default_and_198_of_199_in_deepsig_mode():
    low = np.linspace(0, 1, 10)
    high = low + 2  # the same gap at every quantile

    exact, like_deepsig = aso(low, high, seed=1), aso(low, high, mode="deepsig", seed=1)
    dominant = aso(high, low, seed=1)

    assert exact.violation_ratio == 1.0
    assert exact.epsilon_min == 1.0
    assert like_deepsig.violation_ratio == pytest.approx(198 / 199)
    assert dominant.violation_ratio == 0.0
    assert dominant.epsilon_min == 0.0


def test_identical_samples_show_no_order_and_no_evidence_that_a_is_better():
    scores = np.random.default_rng(4).normal(size=20)

    result = aso(scores, scores, seed=1)

    assert result.violation_ratio == 0.5
    assert result.epsilon_min > 0.5


def test_its_epsilon_min_is_an_upper_confidence_bound_of_the_violation_ratio():
    # N(0, 1) against N(0, 2²): the quantile gap 1·Φ⁻¹(t) is positive exactly for t > 1/2 and
    # symmetric, so the true ε is 0.5. A 95% upper bound should lie above it most of the time;
    # dividing the bootstrap sd by √(nm/(n+m)) once more would cover it only about 60%.
    rng = np.random.default_rng(12)
    data_sets = 200

    covered = sum(
        aso(rng.normal(0, 1, 50), rng.normal(0, 2, 50), n_bootstrap=200, seed=i).epsilon_min >= 0.5
        for i in range(data_sets)
    )

    assert covered / data_sets >= 0.8


def test_the_same_seed_gives_the_same_epsilon_min(reference):
    assert aso(*reference, seed=5) == aso(*reference, seed=5)


def test_it_needs_two_scores_per_system():
    with pytest.raises(StatsInputError, match="at least 2"):
        aso([0.5], [0.4, 0.6])
