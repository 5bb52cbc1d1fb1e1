"""Agreement figures against published worked examples and the `krippendorff` package."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from annotator.agreement import (
    GROUPS,
    MAX_UNDEFINED_SHARE,
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


class TestUndefinedResamples:
    """Two annotators who agree on every sentence, but one label is rare: a resample without it
    gives every sentence one label, where kappa and alpha are undefined."""

    ENSEMBLE = LABELS.index("ensemble")
    FIXED = LABELS.index("fixed_seed")

    def ratings(self, sentences: int, rare: int) -> Ratings:
        labels = np.array([self.ENSEMBLE] * rare + [self.FIXED] * (sentences - rare))
        return Ratings(LABELS, ("a", "b"), np.stack([labels, labels], 1))

    def test_one_rare_sentence_in_twenty_leaves_its_label_without_an_interval(self):
        figures = agreement(self.ratings(20, rare=1), n_resamples=1000)
        row = figures.rows[1 + self.ENSEMBLE]
        assert row.cohen[0].value == row.fleiss.value == 1.0
        # A resample misses the one sentence with chance (19/20)^20 = 0.358.
        assert row.cohen[0].undefined / 1000 == pytest.approx((19 / 20) ** 20, abs=0.05)
        assert row.cohen[0].low is None and row.cohen[0].high is None
        assert row.alpha.low is None and row.fleiss.low is None
        assert row.cohen[0].note.startswith(f"no interval: in {row.cohen[0].undefined} of 1000")
        assert (None, "Fleiss' κ", row.fleiss.note) in figures.interval_notes()

    def test_a_few_undefined_resamples_are_counted_and_the_interval_kept(self):
        # Four rare sentences in forty: (36/40)^40 = 1.5% of resamples miss them all.
        figures = agreement(self.ratings(40, rare=4), n_resamples=1000)
        kappa = figures.rows[1 + self.ENSEMBLE].cohen[0]
        assert 0 < kappa.undefined <= MAX_UNDEFINED_SHARE * 1000
        assert kappa.low == kappa.high == 1.0
        assert kappa.note.startswith(f"{kappa.undefined} of 1000 resamples are left out")

    def test_labels_that_always_appear_leave_nothing_out_and_need_no_note(self):
        rng = np.random.default_rng(3)
        codes = rng.integers(0, 2, size=(200, 2))
        figures = agreement(Ratings(LABELS, ("a", "b"), codes), n_resamples=200)
        overall = figures.rows[0]
        assert overall.cohen[0].undefined == 0 and overall.cohen[0].note is None
        assert overall.cohen[0].low is not None


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


@pytest.mark.django_db
def test_the_project_page_says_why_an_interval_is_missing(client, corpus, corpus_dir, bob):
    dave, maria = person("dave"), person("maria", staff=True)
    ingest(corpus, corpus_dir, *PAPERS)
    project = project_with(corpus, [bob, dave], overlap=2)
    for given in queue_of(project, bob):
        label(given, "fixed_seed")
    for given, value in zip(
        queue_of(project, dave), ["fixed_seed"] * 5 + ["ensemble"], strict=True
    ):
        label(given, value)
    client.force_login(maria)
    page = client.get(f"/annotate/projects/{project.pk}/").content.decode()
    # Bob gave one label only: a resample without dave's "ensemble" has no kappa, (5/6)^6 = 33%.
    assert "[no interval]" in page
    assert "Cohen&#x27;s κ bob–dave: no interval: in " in page
    assert "resamples every sentence has one label, so the figure is undefined there" in page
