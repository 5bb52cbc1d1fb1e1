"""The verdict's rules, in the words a reader gets, and their calibration at reduced size."""

import numpy as np
import pytest

from audit.stats import StatsInputError, calibration, compare_systems
from audit.stats.verdict import (
    ASO_REQUIRED_BELOW,
    BETTER,
    MIN_RUNS,
    NO_CLEAR_DIFFERENCE,
    NOT_COMPARABLE,
    NOT_LIKE_WITH_LIKE,
    judge_datasets,
    judge_runs,
)


@pytest.fixture(scope="module")
def three_systems():
    rng = np.random.default_rng(70)
    return {
        "large": rng.normal(0.90, 0.01, 12),
        "base": rng.normal(0.85, 0.01, 12),
        "small": rng.normal(0.849, 0.01, 12),
    }


def test_all_pairs_of_three_systems_are_judged_with_holm_and_ranked(three_systems):
    verdict = judge_runs(three_systems, seed=1)

    assert verdict.ranking[0] == "large"
    outcomes = {(v.first, v.second): v.outcome for v in verdict.verdicts}
    assert outcomes[("large", "base")] == outcomes[("large", "small")] == BETTER
    assert outcomes[("base", "small")] == "no clear difference"
    assert all(v.tests_in_report == 3 for v in verdict.verdicts)
    # Holm: the smallest p-value is multiplied by the number of tests.
    smallest = min(pair.rank.p_value for pair in verdict.pairs)
    assert min(v.adjusted_p for v in verdict.verdicts) == pytest.approx(3 * smallest)
    # ASO's confidence is shared by the 6 ordered pairs (deepsig's Bonferroni convention).
    assert verdict.pairs[0].aso.confidence == pytest.approx(1 - 0.05 / 6)
    assert verdict.text.startswith("Ranked by mean: large > ")
    assert "large is better than base and small" in verdict.text
    assert [step.outcome for step in verdict.steps] == [BETTER, "no clear difference"]


def test_several_data_sets_are_corrected_together(three_systems):
    shifted = {name: scores - 0.3 for name, scores in three_systems.items()}

    verdicts = judge_datasets({"sst2": three_systems, "mnli": shifted}, seed=2)

    assert [v.dataset for v in verdicts] == ["sst2", "mnli"]
    assert all(v.tests_in_report == 6 for verdict in verdicts for v in verdict.verdicts)
    assert verdicts[1].text.startswith("On mnli: Ranked by mean: large")


def test_fractions_against_percentages_are_not_compared():
    rng = np.random.default_rng(71)

    verdict = judge_runs(
        {"ours": rng.normal(85.3, 0.3, 8), "theirs": rng.normal(0.86, 0.003, 8)}, seed=3
    )

    assert verdict.verdicts[0].outcome == NOT_COMPARABLE
    assert verdict.verdicts[0].winner is None
    assert "fractions against percentages" in verdict.text


def test_seed_only_runs_against_a_search_name_no_winner_in_the_verdict_itself():
    rng = np.random.default_rng(72)
    fixed, searched = rng.normal(0.9, 0.005, 10), rng.normal(0.8, 0.005, 10)

    result = compare_systems(
        fixed, searched, unit="run", seed_only=(True, False), names=("ours", "baseline")
    )

    assert result.judgement.outcome == NOT_LIKE_WITH_LIKE
    assert result.judgement.winner is None
    assert "no winner named: the runs of ours vary only the random seed" in result.verdict
    assert "the tests favour ours" in result.verdict


def test_both_seed_only_say_what_the_winner_is_a_winner_of():
    rng = np.random.default_rng(73)

    result = compare_systems(
        rng.normal(0.9, 0.005, 10), rng.normal(0.8, 0.005, 10), unit="run", seed_only=True
    )

    assert "these runs vary only the seed of one configuration each" in result.verdict


def test_the_interval_in_the_sentence_is_that_of_the_winner_minus_the_loser():
    rng = np.random.default_rng(74)
    truth = rng.random(2000)
    a, b = (truth < 0.80).astype(float), (truth < 0.83).astype(float)

    result = compare_systems(a, b, unit="example", statistic="accuracy", seed=4)

    assert result.judgement.winner == "B"
    text = result.judgement.text
    low, high = (float(x) for x in text.split("CI of B − A [")[1].split("]")[0].split(", "))
    assert 0 < low < b.mean() - a.mean() < high
    assert f"B is better than A by {b.mean() - a.mean():.4g}" in text


def test_a_p_value_no_resample_reached_is_given_as_the_floor_of_the_resamples():
    rng = np.random.default_rng(75)
    truth = rng.random(1000)
    a, b = (truth < 0.9).astype(float), (truth < 0.6).astype(float)

    result = compare_systems(a, b, unit="example", statistic="accuracy", n_resamples=999)

    assert "permutation test p ≤ 0.002, the least 999 resamples can show" in result.verdict
    assert "p < 0.0001" not in result.verdict


def test_a_constant_sample_interval_has_no_width_and_no_winner_is_named_from_two_runs():
    verdict = judge_runs({"A": [0.8, 0.8], "B": [0.7, 0.7]})

    assert verdict.verdicts[0].outcome == "too few runs"
    assert f"at least {MIN_RUNS} runs" in verdict.text


def one_sd_apart(runs: int) -> dict[str, np.ndarray]:
    # Drawn so that the rank test finds the difference and ASO does not (ε_min 0.2 or more).
    rng = np.random.default_rng(3)
    return {"A": rng.normal(0.0, 1.0, runs), "B": rng.normal(1.0, 1.0, runs)}


def test_from_ten_runs_each_the_rank_test_decides_and_the_verdict_says_aso_disagreed():
    verdict = judge_runs(one_sd_apart(ASO_REQUIRED_BELOW), seed=1).verdicts[0]

    assert (verdict.outcome, verdict.winner) == (BETTER, "B")
    assert "exact Mann-Whitney p = 0.035; ASO ε_min = 0.46 at 0.975 confidence" in verdict.text
    assert (
        "ASO does not confirm it, and with 10 runs of each system or more the exact rank test "
        "decides alone" in verdict.text
    )


def test_below_ten_runs_a_rank_test_that_aso_does_not_confirm_names_no_winner():
    verdict = judge_runs(one_sd_apart(8), seed=1).verdicts[0]

    assert verdict.outcome == NO_CLEAR_DIFFERENCE and verdict.winner is None
    assert "the rank test favours B (exact Mann-Whitney p = 0.021) but ASO does not" in verdict.text


@pytest.mark.parametrize("n", calibration.RUN_COUNTS)
def test_the_verdict_seldom_names_a_winner_between_runs_of_one_distribution(n):
    # Where the exact rank test decides alone its rate is close to 0.05, and 300 data sets
    # (standard error 0.013) cannot tell 0.05 from 0.06; 1,000 (0.007) can.
    datasets = 1000 if n >= ASO_REQUIRED_BELOW else 300
    assert calibration.false_winner_rate(n, datasets, seed=12, n_bootstrap=200) <= 0.06


def test_the_verdict_finds_a_one_sd_difference_nearly_as_often_as_a_5_percent_test_can():
    # No two-sided test that names a false winner in at most 5% of data sets exceeds 0.56 here
    # (Student t), and 0.61 with the SD known; see README.
    assert calibration.power(10, 1.0, datasets=300, seed=12, n_bootstrap=200) >= 0.45
    assert calibration.power(20, 1.0, datasets=200, seed=12, n_bootstrap=200) >= 0.75


@pytest.mark.parametrize("n", calibration.RUN_COUNTS)
def test_a_claim_is_seldom_supported_between_runs_of_one_distribution(n):
    # From 10 runs each the one-sided exact rank test decides alone, at a level of 0.043 (10
    # runs each) and 0.048 (20): 2,000 data sets (standard error 0.005) tell that from 0.06.
    datasets = 2000 if n >= ASO_REQUIRED_BELOW else 300
    assert calibration.false_winner_rate(n, datasets, seed=12, n_bootstrap=200, claim=True) <= 0.06


def test_a_true_claim_of_a_one_sd_difference_is_supported_more_than_six_times_in_ten():
    # The one-sided exact rank test's power at 10 runs each is about 0.67; 400 data sets
    # (standard error 0.024) keep 0.6 nearly three standard errors below it.
    power = calibration.power(10, 1.0, datasets=400, seed=12, n_bootstrap=200, claim=True)
    undirected = calibration.power(10, 1.0, datasets=400, seed=12, n_bootstrap=200)

    assert power >= 0.6
    assert undirected < power


def test_a_claim_in_the_wrong_direction_is_almost_never_supported():
    # The claimed system is 1 SD worse: only a sample that happens to put it clearly ahead
    # could support the claim.
    assert calibration.power(10, -1.0, datasets=400, seed=12, n_bootstrap=200, claim=True) <= 0.01


def test_a_claim_the_scores_contradict_is_not_supported_and_the_verdict_says_the_opposite():
    runs = one_sd_apart(ASO_REQUIRED_BELOW)

    verdict = judge_runs(runs, seed=1, claimed_better="A").verdicts[0]

    assert verdict.claim_supported is False
    assert (verdict.outcome, verdict.winner) == (BETTER, "B")
    assert verdict.text.startswith(
        "the claim that A beats B is not supported (one-sided test, decided before seeing the "
        "scores): exact Mann-Whitney, one-sided, p = 0.99"
    )
    assert "the two-sided test shows the opposite: B is better than A" in verdict.text


def test_a_claim_in_the_direction_of_the_scores_is_tested_one_sided():
    runs = one_sd_apart(ASO_REQUIRED_BELOW)

    undirected = judge_runs(runs, seed=1).verdicts[0]
    claim = judge_runs(runs, seed=1, claimed_better="B").verdicts[0]

    assert claim.claim_supported is True and claim.winner == "B"
    assert claim.adjusted_p == pytest.approx(undirected.adjusted_p / 2)
    assert claim.text.startswith(
        "the claim that B beats A is supported (one-sided test, decided before seeing the "
        "scores): exact Mann-Whitney, one-sided, p = 0.018"
    )


def test_a_claim_below_ten_runs_still_needs_aso_in_the_claimed_direction():
    verdict = judge_runs(one_sd_apart(8), seed=1, claimed_better="B").verdicts[0]

    assert verdict.claim_supported is False and verdict.winner is None
    assert "the claim that B beats A is not supported" in verdict.text
    assert "the one-sided rank test favours B" in verdict.text
    assert "but ASO does not" in verdict.text


def test_a_claim_with_too_few_runs_is_not_supported():
    verdict = judge_runs({"A": [0.8, 0.81, 0.82], "B": [0.7, 0.71, 0.72]}, claimed_better="A")

    assert verdict.verdicts[0].claim_supported is False
    assert verdict.text.startswith("the claim that A beats B is not supported: too few runs")


def test_a_claimed_system_must_be_one_of_those_compared():
    with pytest.raises(StatsInputError, match="'C', is not among the systems compared"):
        judge_runs(one_sd_apart(10), claimed_better="C")


@pytest.mark.parametrize(
    "method", [name for name, interval in calibration.INTERVALS.items() if interval.shown]
)
def test_every_interval_a_page_shows_covers_what_it_says(method):
    for n in calibration.INTERVALS[method].sizes:
        assert calibration.coverage(method, n, datasets=600, seed=12, resamples=1000) >= 0.93


def test_the_bootstrap_of_a_mean_over_three_runs_covers_far_less_than_it_says():
    assert calibration.coverage("bca_bootstrap_mean", 3, 400, seed=12, resamples=1000) < 0.85


def test_a_claim_on_per_example_scores_is_tested_with_the_one_sided_permutation_test():
    rng = np.random.default_rng(76)
    truth = rng.random(2000)
    a, b = (truth < 0.80).astype(float), (truth < 0.83).astype(float)

    right = compare_systems(a, b, unit="example", statistic="accuracy", claimed_better="B", seed=4)
    wrong = compare_systems(a, b, unit="example", statistic="accuracy", claimed_better="A", seed=4)

    assert right.judgement.claim_supported is True
    assert "the claim that B beats A is supported (one-sided test" in right.verdict
    assert "one-sided permutation test p ≤ 0.0001" in right.verdict
    assert wrong.judgement.claim_supported is False
    assert "the claim that A beats B is not supported" in wrong.verdict
    assert "the two-sided test shows the opposite: B is better than A" in wrong.verdict


def test_an_epsilon_just_under_the_threshold_is_not_printed_as_the_threshold():
    rng = np.random.default_rng(13)
    samples = {"A": rng.normal(0.0, 1.0, 6), "B": rng.normal(1.2, 1.0, 6)}

    verdict = judge_runs(samples, seed=1).verdicts[0]

    assert "ASO favours B (ε_min = 0.197)" in verdict.text
