import json

import numpy as np
import pytest
from scipy import stats

from audit.stats import StatsInputError, compare_systems


@pytest.fixture(scope="module")
def separated_runs():
    rng = np.random.default_rng(60)
    return rng.normal(0.84, 0.01, 10), rng.normal(0.8, 0.01, 10)


def test_seed_only_runs_are_named_as_such_and_warned_about(separated_runs):
    result = compare_systems(*separated_runs, unit="run", seed_only=True, seed=1)

    assert "vary only the random seed" in result.verdict
    assert any("Only the random seed varied" in warning for warning in result.warnings)


def test_runs_over_configurations_carry_no_seed_warning(separated_runs):
    result = compare_systems(*separated_runs, unit="run", seed=1)

    assert "random seed" not in result.verdict
    assert result.warnings == []


def test_it_names_the_better_of_two_clearly_separated_systems(separated_runs):
    result = compare_systems(
        *separated_runs, unit="run", names=("BERT", "LSTM"), n_bootstrap=500, seed=2
    )

    assert "BERT is better than LSTM" in result.verdict
    assert "every run of BERT beats every run of LSTM" in result.verdict
    # Every resample is separated too: ASO has no spread and its ε_min says nothing.
    assert result.aso.sigma == 0 and "ε_min is undefined" in result.verdict
    assert result.judgement.winner == "BERT"
    assert result.difference == pytest.approx(separated_runs[0].mean() - separated_runs[1].mean())
    assert result.welch.p_value < 0.001
    assert result.effect_size.magnitude == "large"
    assert [len(curve.mean) for curve in result.expected_max] == [10, 10]


def test_it_calls_no_winner_between_runs_from_one_distribution():
    rng = np.random.default_rng(61)

    result = compare_systems(rng.normal(0.8, 0.02, 8), rng.normal(0.8, 0.02, 8), unit="run")

    assert "no clear difference between A and B" in result.verdict
    assert result.judgement.winner is None


def test_it_seldom_names_a_winner_between_runs_of_one_distribution():
    rng = np.random.default_rng(64)
    pairs = 200

    verdicts = [
        compare_systems(
            rng.normal(0.8, 0.02, 20),
            rng.normal(0.8, 0.02, 20),
            unit="run",
            n_resamples=500,
            n_bootstrap=200,
            seed=i,
        ).judgement.winner
        for i in range(pairs)
    ]

    # Reading ε_min < 0.5 as a win, as Dror et al. do, would name one in about a third of them.
    named = sum(winner is not None for winner in verdicts)
    assert named / pairs <= 0.06


def test_a_handful_of_runs_is_too_few_to_tell_whatever_the_gap():
    # Two runs each, 0.002 apart: ASO alone called this "almost stochastically better" with
    # ε_min = 0 (Welch p = 0.11, Mann-Whitney p = 0.33).
    result = compare_systems([0.801, 0.802], [0.799, 0.7995], unit="run", seed=3)

    assert "too few runs to tell A and B apart (2 and 2; the verdict needs at least 5" in (
        result.verdict
    )
    assert result.judgement.winner is None


def test_the_interval_of_a_mean_over_runs_is_student_t():
    runs = [0.81, 0.83, 0.8]

    summary = compare_systems(runs, [0.7, 0.71, 0.72], unit="run", seed=3).systems[0]

    expected = stats.t.interval(0.95, 2, loc=np.mean(runs), scale=stats.sem(runs))
    assert (summary.low, summary.high) == pytest.approx(expected)
    assert summary.interval_method == "Student t"


def test_per_example_scores_are_compared_pair_by_pair():
    rng = np.random.default_rng(62)
    truth = rng.random(1000)
    a, b = (truth < 0.85).astype(float), (truth < 0.8).astype(float)

    result = compare_systems(a, b, unit="example", statistic="accuracy", seed=4)

    assert result.verdict.startswith("Compared A with B by accuracy on the same 1000 test")
    assert f"A is better than B by {a.mean() - b.mean():.4g}" in result.verdict
    assert result.paired_bootstrap.low > 0
    assert result.permutation.p_value < 0.001
    assert result.systems[0].estimate == a.mean()
    assert (result.aso, result.welch, result.expected_max, result.wilcoxon) == (None,) * 4


def test_macro_f1_summaries_have_no_spread_to_report():
    rng = np.random.default_rng(63)
    gold = rng.integers(0, 3, 200)
    a = np.c_[gold, np.where(rng.random(200) < 0.7, gold, rng.integers(0, 3, 200))]
    b = a.copy()
    # B is right on 3 examples A gets wrong, and wrong on 3 that A gets right.
    right, wrong = np.flatnonzero(a[:, 0] == a[:, 1])[:3], np.flatnonzero(a[:, 0] != a[:, 1])[:3]
    b[right, 1] = (gold[right] + 1) % 3
    b[wrong, 1] = gold[wrong]

    result = compare_systems(a, b, unit="example", statistic="macro_f1", seed=5)

    assert "no clear difference" in result.verdict
    assert (result.systems[0].std, result.systems[0].median) == (None, None)


@pytest.mark.parametrize("unit", ["run", "example"])
def test_every_figure_serializes_to_strict_json(unit):
    scores = np.random.default_rng(65).normal(0.8, 0.01, (2, 120))
    result = compare_systems(*scores, unit=unit, seed=6)

    figures = json.loads(json.dumps(result.to_dict(), allow_nan=False))

    assert figures["unit"] == unit
    assert figures["systems"][0]["n"] == 120
    assert figures["verdict"] == result.verdict
    assert figures["judgement"]["text"] in result.verdict


def test_per_example_comparisons_need_enough_examples_for_their_interval():
    rng = np.random.default_rng(66)

    with pytest.raises(StatsInputError, match=r"There are 50 examples; .* at least 100"):
        compare_systems(rng.random(50), rng.random(50), unit="example")


def test_the_same_seed_gives_the_same_report(separated_runs):
    first = compare_systems(*separated_runs, unit="run", seed=7).to_dict()

    assert compare_systems(*separated_runs, unit="run", seed=7).to_dict() == first


def test_runs_are_compared_by_their_mean_only(separated_runs):
    with pytest.raises(StatsInputError, match="by their mean"):
        compare_systems(*separated_runs, unit="run", statistic="median")


def test_seed_only_makes_no_sense_for_per_example_scores(separated_runs):
    with pytest.raises(StatsInputError, match="per-run scores"):
        compare_systems(*separated_runs, unit="example", seed_only=True)
