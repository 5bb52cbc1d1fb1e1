import json

import numpy as np
import pytest

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

    assert "BERT is almost stochastically better" in result.verdict
    assert result.aso.epsilon_min < 0.5 < result.aso_reverse.epsilon_min
    assert result.difference == pytest.approx(separated_runs[0].mean() - separated_runs[1].mean())
    assert result.welch.p_value < 0.001
    assert result.effect_size.magnitude == "large"
    assert [len(curve.mean) for curve in result.expected_max] == [10, 10]


def test_it_calls_no_winner_between_runs_from_one_distribution():
    rng = np.random.default_rng(61)

    result = compare_systems(rng.normal(0.8, 0.02, 8), rng.normal(0.8, 0.02, 8), unit="run")

    assert "neither is almost stochastically better" in result.verdict


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
        ).verdict
        for i in range(pairs)
    ]

    # Reading ε_min < 0.5 as a win, as Dror et al. do, would name one in about a third of them.
    named = sum("neither is almost stochastically better" not in verdict for verdict in verdicts)
    assert named / pairs <= 0.1


def test_it_warns_that_a_handful_of_runs_say_little():
    result = compare_systems([0.8, 0.81, 0.79], [0.78, 0.8, 0.77, 0.79], unit="run", seed=3)

    assert any("Fewer than 5 runs" in warning for warning in result.warnings)


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
def test_every_figure_serializes_to_strict_json(separated_runs, unit):
    result = compare_systems(*separated_runs, unit=unit, seed=6)

    figures = json.loads(json.dumps(result.to_dict(), allow_nan=False))

    assert figures["unit"] == unit
    assert figures["systems"][0]["n"] == 10
    assert figures["verdict"] == result.verdict


def test_the_same_seed_gives_the_same_report(separated_runs):
    first = compare_systems(*separated_runs, unit="run", seed=7).to_dict()

    assert compare_systems(*separated_runs, unit="run", seed=7).to_dict() == first


def test_runs_are_compared_by_their_mean_only(separated_runs):
    with pytest.raises(StatsInputError, match="by their mean"):
        compare_systems(*separated_runs, unit="run", statistic="median")


def test_seed_only_makes_no_sense_for_per_example_scores(separated_runs):
    with pytest.raises(StatsInputError, match="per-run scores"):
        compare_systems(*separated_runs, unit="example", seed_only=True)
