"""The comparison page, open to anyone: paste or upload scores, read the report, download it."""

import io
import json
import re

import numpy as np
import pdfplumber
import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_compare_csv import example

SEED_ONLY = example("runs-seeds.csv")
SEARCH = example("runs-search.csv")
CLOSE_RUNS = "system,score\n" + "".join(
    f"{system},{score}\n"
    for system, scores in {
        "A": (0.8091, 0.8075, 0.7997, 0.8065, 0.7935, 0.7817, 0.8168, 0.8048, 0.7793, 0.7894),
        "B": (0.8038, 0.8134, 0.8233, 0.8131, 0.8057, 0.8147, 0.8078, 0.8118, 0.8033, 0.7979),
    }.items()
    for score in scores
)


@pytest.fixture
def visitor(client, db):
    """Someone without an account: the page needs none (its rate limit counts in the database)."""
    return client


def report_page(client, **data):
    return client.post(reverse("compare"), data)


class TestComparePage:
    def test_it_shows_the_form_and_the_formats_to_anyone(self, visitor):
        response = visitor.get(reverse("compare"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Compare systems" in page
        assert "CSV formats" in page
        assert 'href="/compare/"' in page  # the nav link, shown without logging in

    def test_it_is_in_the_nav_of_people_who_logged_in(self, client, alice):
        client.force_login(alice)

        page = client.get(reverse("home")).content.decode()

        assert 'href="/compare/">Compare</a>' in page

    def test_every_example_file_it_links_to_is_there_and_gives_a_report(self, visitor):
        page = visitor.get(reverse("compare")).content.decode()
        files = sorted(set(re.findall(r'href="/static/(audit/examples/[\w-]+\.csv)"', page)))

        assert len(files) == 4
        for name in files:
            with open(finders.find(name)) as csv:
                response = report_page(visitor, scores=csv.read())
            assert response.status_code == 200, name
            assert 'id="verdict"' in response.content.decode(), name

    def test_pasted_seed_only_runs_get_a_verdict_that_says_so_and_warns(self, visitor):
        response = report_page(visitor, scores=SEED_ONLY)

        assert response.status_code == 200
        page = response.content.decode()
        assert (
            "Compared 10 runs of bert-base with 10 runs of roberta-base that vary only the random "
            "seed" in page
        )
        assert "Only the random seed varied between these runs" in page
        assert "The runs of bert-base vary only the seed." in page
        assert page.count('src="data:image/svg+xml;base64,') == 3

    def test_runs_over_hyperparameters_carry_no_seed_warning(self, visitor):
        page = report_page(visitor, scores=SEARCH).content.decode()

        assert "roberta-base is better than bert-base" in page
        assert "Only the random seed varied" not in page
        assert "The runs of bert-base vary seed, lr, dropout." in page
        assert 'id="expected-max"' in page

    def test_per_example_scores_are_compared_pair_by_pair(self, visitor):
        page = report_page(visitor, scores=example("examples-scores.csv")).content.decode()

        assert "Compared bert-base with roberta-base by mean on the same 500 test examples" in page
        assert "Paired bootstrap of the test set (BCa)" in page
        assert 'id="expected-max"' not in page
        assert page.count('src="data:image/svg+xml;base64,') == 2

    def test_an_uploaded_file_gives_the_same_report_as_the_same_text_pasted(self, visitor):
        upload = SimpleUploadedFile("runs.csv", SEED_ONLY.encode(), content_type="text/csv")

        uploaded = report_page(visitor, file=upload).content.decode()

        pasted = report_page(visitor, scores=SEED_ONLY).content.decode()
        assert verdict(uploaded) == verdict(pasted)
        assert "vary only the random seed" in verdict(uploaded)

    def test_runs_with_no_spread_get_a_report_with_the_undefined_tests_marked(self, visitor):
        # Three runs of each scoring exactly 1: Welch's t is 0 / 0.
        text = "system,score\nA,1\nA,1\nA,1\nB,1\nB,1\nB,1\n"

        response = report_page(visitor, scores=text)

        assert response.status_code == 200
        page = response.content.decode()
        assert "too few runs to tell A and B apart (3 and 3; the verdict needs at least 5" in page
        assert "p = n/a" in page

    def test_a_mistake_in_the_csv_is_shown_with_its_line_and_the_text_kept(self, visitor):
        text = "system,score\nA,0.8\nA,0.81\nB,0.7\nB,seventy\n"

        response = report_page(visitor, scores=text)

        assert response.status_code == 400
        page = response.content.decode()
        assert "Line 5: score “seventy” is not a number." in page
        assert "B,seventy" in page
        assert 'id="verdict"' not in page

    def test_a_spreadsheet_upload_is_refused_with_advice(self, visitor):
        upload = SimpleUploadedFile("runs.xlsx", b"PK\x03\x04" + b"\x00" * 100)

        response = report_page(visitor, file=upload)

        assert response.status_code == 400
        assert "save or export it as CSV first" in response.content.decode()

    def test_an_empty_form_asks_for_scores(self, visitor):
        response = report_page(visitor, scores="  ")

        assert response.status_code == 400
        assert "Paste scores or choose a CSV file." in response.content.decode()

    def test_the_json_download_holds_what_the_page_showed(self, visitor):
        page = report_page(visitor, scores=SEED_ONLY).content.decode()

        response = visitor.post(reverse("compare-json"), {"scores": SEED_ONLY})

        assert response["Content-Disposition"] == 'attachment; filename="comparison.json"'
        report = json.loads(response.content)
        assert report["comparison"]["verdict"] == verdict(page)
        assert report["input"]["systems"] == ["bert-base", "roberta-base"]
        assert report["input"]["seed_only"] is True
        assert report["comparison"]["systems"][0]["n"] == 10
        assert len(report["comparison"]["expected_max"][0]["mean"]) == 10

    def test_the_pdf_download_reads_as_the_report(self, visitor):
        response = visitor.post(reverse("compare-pdf"), {"scores": SEED_ONLY})

        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="comparison.pdf"'
        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            text = " ".join((page.extract_text() or "") for page in pdf.pages)
        text = " ".join(text.split())
        assert "bert-base vs roberta-base" in text
        assert "that vary only the random seed" in text
        assert "Warning: Only the random seed varied" in text
        assert "Mann-Whitney U (permutation) U = 12" in text
        assert "Expected maximum performance" in text

    def test_a_download_of_bad_scores_says_what_is_wrong(self, visitor):
        response = visitor.post(reverse("compare-json"), {"scores": "system,score\nA,1\n"})

        assert response.status_code == 400
        assert "needs at least two" in json.dumps(response.json())

    def test_three_systems_get_every_pair_a_matrix_and_a_ranking(self, visitor):
        rng = np.random.default_rng(80)
        text = "system,score,seed\n" + "".join(
            f"{name},{score:.5f},{seed}\n"
            for name, mean in (("small", 0.80), ("base", 0.85), ("large", 0.90))
            for seed, score in enumerate(rng.normal(mean, 0.01, 8))
        )

        response = report_page(visitor, scores=text)

        assert response.status_code == 200
        page = response.content.decode()
        assert verdict(page).startswith("Ranked by mean: large &gt; base &gt; small.")
        assert "large is better than base and small; base is better than small" in verdict(page)
        assert "Holm-adjusted over 3 pairs" in verdict(page)
        assert page.count('class="table pairs-matrix"') == 1
        assert "<td>better (p = " in page and "<td>worse (p = " in page
        assert "large over base" in page
        report = visitor.post(reverse("compare-json"), {"scores": text}).json()
        assert report["verdict"] == verdict(page).replace("&gt;", ">")
        assert report["input"]["systems"] == ["small", "base", "large"]

    def test_each_data_set_gets_its_own_matrix_corrected_for_all(self, visitor):
        rng = np.random.default_rng(81)
        text = "system,score,dataset\n" + "".join(
            f"{name},{score:.5f},{dataset}\n"
            for dataset in ("sst2", "mnli")
            for name, mean in (("A", 0.8), ("B", 0.9))
            for score in rng.normal(mean, 0.01, 6)
        )

        page = report_page(visitor, scores=text).content.decode()

        assert page.count('class="table pairs-matrix"') == 2
        assert "On sst2: B is better than A" in verdict(page)
        assert "On mnli: B is better than A" in verdict(page)
        assert "Holm-adjusted over 2 tests" in verdict(page)

    def test_expected_max_selects_on_dev_when_the_file_has_dev_scores(self, visitor):
        # The run with the best test score has the worst dev score: a search would not pick it.
        rows = [("A", 0.95, 0.70)] + [("A", 0.80 + k / 1000, 0.80 + k / 1000) for k in range(5)]
        rows += [("B", 0.82 + k / 1000, 0.80) for k in range(6)]
        text = "system,score,dev\n" + "".join(f"{s},{t},{d}\n" for s, t, d in rows)

        page = report_page(visitor, scores=text).content.decode()

        assert "the run that a random search of n trials would pick on its dev score" in page
        # Best of 6 on dev: A's run with dev 0.804, test 0.804, nearly always.
        table = page.split('id="expected-max"')[1]
        row = re.search(r"<td class=\"num\">6</td><td class=\"num\">([\d.]+)", table)
        assert 0.80 < float(row.group(1)) < 0.81

    def test_expected_max_without_dev_is_labelled_optimistic(self, visitor):
        page = report_page(visitor, scores=SEARCH).content.decode()

        assert "Best of n on the uploaded scores (optimistic)" in page

    def test_a_91660_run_file_gets_a_report_in_bounded_memory(self, visitor):
        rng = np.random.default_rng(82)
        scores = rng.normal(0.8, 0.01, 91_660)
        text = "system,score\n" + "".join(
            f"{'AB'[i % 2]},{score:.4f}\n" for i, score in enumerate(scores)
        )
        upload = SimpleUploadedFile("runs.csv", text.encode(), content_type="text/csv")

        page = report_page(visitor, file=upload).content.decode()

        assert "Compared 45,830 runs of A with 45,830 runs of B" in verdict(page)
        # The expected-maximum table reaches the largest budget, worked out block by block.
        assert '<td class="num">45,830</td>' in page

    def test_too_few_runs_come_with_how_many_would_tell_the_systems_apart(self, visitor):
        text = "system,score\nA,0.80\nA,0.82\nA,0.81\nB,0.84\nB,0.83\nB,0.85\n"

        page = report_page(visitor, scores=text).content.decode()

        assert "too few runs to tell A and B apart (3 and 3" in verdict(page)
        needed = re.search(r'<p id="runs-needed">(.*?)</p>', page, re.S).group(1)
        assert "If the true difference were the one observed here (0.03)" in needed
        assert "5 runs each: " in needed and "50 runs each: 100%" in needed
        assert "runs of each system give a 80% chance" in needed

    def test_a_claim_stated_first_is_tested_one_sided_and_the_verdict_says_so(self, visitor):
        # Ten runs each, the rank test's p 0.075 two-sided: no winner without a claim, while the
        # claim that B beats A, stated before the scores, is supported one-sided (p 0.038).
        page = report_page(visitor, scores=CLOSE_RUNS).content.decode()
        claimed = report_page(visitor, scores=CLOSE_RUNS, claimed_better="B").content.decode()

        assert "no clear difference between A and B" in verdict(page)
        assert (
            "the claim that B beats A is supported (one-sided test, decided before seeing the "
            "scores): exact Mann-Whitney, one-sided, p = 0.038" in verdict(claimed)
        )
        assert "B was claimed better before the scores were seen" in claimed
        tests = re.search(r'<table class="table" id="tests">(.*?)</table>', claimed, re.S).group(1)
        assert (
            "Mann-Whitney U (exact), one-sided: B better, as claimed</th>"
            '<td class="result">p = 0.038</td><td>supports the claim that B beats A (p &lt; 0.05)'
            in tests
        )
        # The downloads post the claim back with the scores.
        assert '<input type="hidden" name="claimed_better" value="B">' in claimed

    def test_a_claim_on_per_example_scores_is_tested_with_the_one_sided_permutation_test(
        self, visitor
    ):
        scores = example("examples-scores.csv")

        page = report_page(visitor, scores=scores, claimed_better="roberta-base").content.decode()

        assert "the claim that roberta-base beats bert-base is " in verdict(page)
        assert "one-sided permutation test p" in verdict(page)
        assert "Permutation test, one-sided: roberta-base better, as claimed" in page

    def test_a_claim_the_scores_contradict_is_not_supported(self, visitor):
        page = report_page(visitor, scores=SEARCH, claimed_better="bert-base").content.decode()

        assert (
            "the claim that bert-base beats roberta-base is not supported (one-sided test, "
            "decided before seeing the scores)" in verdict(page)
        )
        assert (
            "the two-sided test shows the opposite: roberta-base is better than bert-base"
            in verdict(page)
        )

    def test_a_claim_for_a_system_not_in_the_scores_is_refused(self, visitor):
        response = report_page(visitor, scores=SEARCH, claimed_better="gpt-5")

        assert response.status_code == 400
        assert "gpt-5 is not a system in these scores (bert-base, roberta-base)" in (
            response.content.decode()
        )

    def test_the_json_download_of_a_claim_holds_the_claim_and_its_verdict(self, visitor):
        page = report_page(visitor, scores=CLOSE_RUNS, claimed_better="B").content.decode()

        response = visitor.post(
            reverse("compare-json"), {"scores": CLOSE_RUNS, "claimed_better": "B"}
        )

        report = json.loads(response.content)
        assert report["input"]["claimed_better"] == "B"
        assert report["comparison"]["verdict"] == verdict(page)
        assert report["comparison"]["judgement"]["claim_supported"] is True

    def test_a_claim_against_three_systems_is_tested_against_each(self, visitor):
        third = "".join(f"C,{score}\n" for score in (0.73, 0.74, 0.735, 0.745, 0.738) * 2)

        page = report_page(visitor, scores=CLOSE_RUNS + third, claimed_better="B").content.decode()

        # Holm over the three pairs: the claim against A (one-sided p 0.038) is the last step.
        assert verdict(page).startswith("Ranked by mean: B &gt; A &gt; C.")
        assert (
            "The claim that B beats A and C is supported (one-sided tests, decided before seeing "
            "the scores)" in verdict(page)
        )

    def test_pasted_text_over_the_limit_is_refused_with_the_limit(self, visitor):
        response = report_page(visitor, scores="system,score\n" + "A,0.5\n" * 400_000)

        assert response.status_code == 400
        assert "longer than 2 MB of text" in response.content.decode()

    def test_the_downloads_need_a_post(self, visitor):
        assert visitor.get(reverse("compare-pdf")).status_code == 405


def verdict(page: str) -> str:
    match = re.search(r'<p class="verdict-text" id="verdict">(.*?)</p>', page, re.S)
    return match.group(1).replace("&#x27;", "'").strip()
