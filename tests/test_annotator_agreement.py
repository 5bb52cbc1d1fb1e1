"""Agreement figures against published worked examples and the `krippendorff` package."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from annotator.agreement import (
    GROUPS,
    MISSING,
    Ratings,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)
from annotator.labels import ratings
from audit.taxonomy import LABELS
from tests.test_annotator_support import (
    PAPERS,
    ingest,
    label,
    person,
    project_with,
    queue_of,
)

# Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters, 5 categories.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers,
# 12 units, missing values; nominal alpha = 0.743.
KRIPPENDORFF_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def codes_of(observers: list[list[int | None]]) -> np.ndarray:
    """Units x observers codes from observers x units values 1..k."""
    return np.array([[MISSING if v is None else v - 1 for v in row] for row in observers]).T


class TestWorkedExamples:
    def test_fleiss_kappa_of_the_fourteen_raters_is_0_210(self):
        assert fleiss_kappa(np.array(FLEISS_EXAMPLE, float)) == pytest.approx(0.2099, abs=5e-4)

    def test_cohen_kappa_of_the_yes_no_example_is_0_4(self):
        # Wikipedia, "Cohen's kappa": 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no.
        assert cohen_kappa(np.array([[20, 5], [10, 15]], float)) == pytest.approx(0.4)

    def test_krippendorff_alpha_of_the_2011_example_is_0_743(self):
        codes = codes_of(KRIPPENDORFF_EXAMPLE)
        counts = Ratings(tuple("abcde"), tuple("ABCD"), codes).counts()
        assert krippendorff_alpha(counts[counts.sum(1) >= 2]) == pytest.approx(0.743, abs=5e-4)

    def test_perfect_agreement_is_one_and_a_single_category_has_no_kappa(self):
        perfect = Ratings(LABELS, ("a", "b"), np.array([[0, 0], [3, 3], [5, 5]]))
        overall = agreement(perfect, n_resamples=50).rows[0]
        assert overall.fleiss.value == overall.alpha.value == overall.cohen[0].value == 1.0
        same = Ratings(LABELS, ("a", "b"), np.array([[4, 4], [4, 4]]))
        assert agreement(same, n_resamples=50).rows[0].fleiss.value is None


class TestAgainstTheKrippendorffPackage:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_alpha_matches_on_random_labels_with_missing_ones(self, seed):
        rng = np.random.default_rng(seed)
        codes = rng.integers(0, 6, size=(80, 4))
        codes[rng.random(codes.shape) < 0.4] = MISSING
        data = np.where(codes == MISSING, np.nan, codes).T.astype(float)
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        figures = agreement(Ratings(LABELS, tuple("abcd"), codes), n_resamples=100)
        assert figures.rows[0].alpha.value == pytest.approx(expected, abs=1e-12)

    def test_per_label_alpha_is_that_label_against_the_rest(self):
        rng = np.random.default_rng(7)
        codes = rng.integers(0, 6, size=(60, 3))
        label = 3
        binary = np.where(codes == label, 1.0, 0.0).T
        expected = krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal")
        figures = agreement(Ratings(LABELS, tuple("abc"), codes), n_resamples=100)
        assert figures.rows[1 + label].alpha.value == pytest.approx(expected, abs=1e-12)


class TestIntervalsAndViews:
    def test_the_bootstrap_interval_holds_the_estimate_and_narrows_with_more_items(self):
        rng = np.random.default_rng(0)

        def width(n_items: int) -> float:
            truth = rng.integers(0, 6, size=n_items)
            noisy = np.where(rng.random(n_items) < 0.3, rng.integers(0, 6, size=n_items), truth)
            figure = agreement(Ratings(LABELS, ("a", "b"), np.stack([truth, noisy], 1))).rows[0]
            assert figure.cohen[0].low <= figure.cohen[0].value <= figure.cohen[0].high
            return figure.cohen[0].high - figure.cohen[0].low

        assert width(800) < width(50)

    def test_the_collapsed_view_counts_two_safe_labels_as_agreement(self):
        # model_selection vs ensemble disagree on six labels, agree as "safe".
        codes = np.array([[0, 1], [3, 4], [5, 5], [0, 0], [3, 3]])
        six = agreement(Ratings(LABELS, ("a", "b"), codes), n_resamples=50)
        three = agreement(Ratings(LABELS, ("a", "b"), codes).collapsed(), n_resamples=50)
        assert three.categories == GROUPS
        assert three.rows[0].alpha.value > six.rows[0].alpha.value
        assert three.pair_counts[0, 0] == 2  # safe-safe on items one and four

    def test_the_confusion_of_label_pairs_counts_each_pair_of_annotators_once(self):
        codes = np.array([[0, 0, 1], [2, 2, 2]])
        figures = agreement(Ratings(LABELS, tuple("abc"), codes), n_resamples=20)
        assert figures.pair_counts[0, 0] == 1 and figures.pair_counts[0, 1] == 2
        assert figures.pair_counts[2, 2] == 3
        assert figures.pair_counts.sum() == 6
        assert [(p.first, p.second, p.items) for p in figures.pairs] == [
            ("a", "b", 2), ("a", "c", 2), ("b", "c", 2),
        ]  # fmt: skip


@pytest.mark.django_db
def test_a_projects_labels_become_the_ratings_agreement_is_measured_on(corpus, corpus_dir, bob):
    dave = person("dave")
    ingest(corpus, corpus_dir, *PAPERS)
    project = project_with(corpus, [bob, dave], overlap=2)
    for given, value in zip(queue_of(project, bob), ["fixed_seed"] * 6, strict=True):
        label(given, value)
    for given, value in zip(
        queue_of(project, dave), ["fixed_seed"] * 5 + ["ensemble"], strict=True
    ):
        label(given, value)
    found = ratings(project)
    assert found.annotators == ("bob", "dave")
    assert found.codes.shape == (6, 2)
    assert (found.codes[:, 0] == LABELS.index("fixed_seed")).all()
    assert sorted(found.codes[:, 1]) == [1, 3, 3, 3, 3, 3]
