import numpy as np
import pytest
from scipy import stats

from audit.stats import (
    StatsInputError,
    effect_size,
    holm_bonferroni,
    mann_whitney,
    welch_t,
    wilcoxon_signed_rank,
)


@pytest.fixture(scope="module")
def runs():
    rng = np.random.default_rng(40)
    return rng.normal(0.82, 0.01, 12), rng.normal(0.8, 0.015, 9)


def test_mann_whitney_gives_scipys_exact_answer_and_greater_means_a_scores_higher(runs):
    a, b = runs
    expected = stats.mannwhitneyu(a, b, method="exact")

    two_sided, greater, less = (
        mann_whitney(a, b, alternative) for alternative in ("two-sided", "greater", "less")
    )

    assert (two_sided.statistic, two_sided.p_value) == (expected.statistic, expected.pvalue)
    assert greater.p_value < 0.05 < less.p_value
    assert two_sided.method == "exact"


def test_mann_whitney_with_ties_is_exact_by_permutation_and_large_samples_approximate():
    a, b = [0.8, 0.8, 0.81, 0.82, 0.83], [0.79, 0.8, 0.8, 0.78, 0.77]
    every_arrangement = stats.mannwhitneyu(a, b, method=stats.PermutationMethod(n_resamples=10_000))

    tied = mann_whitney(a, b)

    assert tied.method == "permutation"
    # 252 arrangements: scipy enumerates them all, so the p-value is exact.
    assert tied.p_value == pytest.approx(every_arrangement.pvalue)
    rng = np.random.default_rng(42)
    assert mann_whitney(rng.random(60), rng.random(60)).method == "normal approximation"


def test_welch_gives_scipys_answer_with_the_interval_of_the_difference(runs):
    a, b = runs
    expected = stats.ttest_ind(a, b, equal_var=False)

    result = welch_t(a, b, confidence=0.9)

    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.difference == pytest.approx(a.mean() - b.mean())
    assert (result.low, result.high) == pytest.approx(tuple(expected.confidence_interval(0.9)))
    assert result.low < result.difference < result.high


def test_wilcoxon_pairs_the_scores_example_by_example():
    rng = np.random.default_rng(41)
    b = rng.normal(0.5, 0.2, 60)
    a = b + rng.normal(0.02, 0.03, 60)

    result = wilcoxon_signed_rank(a, b)

    assert result.p_value == pytest.approx(stats.wilcoxon(a, b).pvalue, rel=1e-12)
    assert result.p_value < 0.001


def test_effect_size_counts_wins_and_half_ties_over_all_pairs():
    a = np.array([0.8, 0.8, 0.7, 0.9, 0.75])
    b = np.array([0.7, 0.8, 0.72, 0.6])
    greater = sum(x > y for x in a for y in b)
    less = sum(x < y for x in a for y in b)
    ties = a.size * b.size - greater - less

    result = effect_size(a, b)

    assert ties == 3
    assert result.vargha_delaney_a == pytest.approx((greater + ties / 2) / 20)
    assert result.cliffs_delta == pytest.approx((greater - less) / 20)
    assert result.magnitude == "large"


@pytest.mark.parametrize(
    ("shift", "magnitude"),
    [(0.0, "negligible"), (0.3, "small"), (0.8, "medium"), (2.0, "large")],
)
def test_effect_size_names_its_magnitude_as_romano_et_al_do(shift, magnitude):
    rng = np.random.default_rng(42)
    a, b = rng.normal(shift, 1, 4000), rng.normal(0, 1, 4000)

    assert effect_size(a, b).magnitude == magnitude


def test_holm_multiplies_the_sorted_p_values_by_the_hypotheses_left_and_keeps_them_rising():
    result = holm_bonferroni([0.01, 0.04, 0.03, 0.005])

    # Sorted: 0.005·4, 0.01·3, 0.03·2, 0.04·1 -> 0.02, 0.03, 0.06, then 0.06 (not 0.04).
    assert result.adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert result.reject == [True, False, False, True]


def test_holm_caps_adjusted_p_values_at_one():
    assert holm_bonferroni([0.6, 0.7]).adjusted == [1.0, 1.0]


def test_holm_refuses_numbers_that_are_not_p_values():
    with pytest.raises(StatsInputError, match=r"in \[0, 1\]"):
        holm_bonferroni([0.2, 1.5])
