"""A claim's report: its JSON, its PDF, its page and charts, built from runs trained here."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from audit.lab import actions
from audit.lab.models import Claim
from audit.stats.compare import SEED_ONLY_WARNING
from tests.test_lab_claims import li2022_seed_sentence

pytestmark = pytest.mark.django_db


def claim_tested_here(
    corpus, corpus_dir, setups: list[str], claimed_score: float = 0.953, retrain: int = 0
) -> Claim:
    """A claim whose experiments are run here, one after another, as a lab worker runs them."""
    sentence = li2022_seed_sentence(corpus, corpus_dir)
    claim = actions.create_claim(
        sentence,
        setups=setups,
        claimed_score=claimed_score,
        seeds=[11],
        runs=2,
        device="cpu",
        retrain=retrain,
    )
    waiting = list(claim.experiments.filter(source__isnull=True).values_list("pk", flat=True))
    while waiting:
        follow_up = actions.run_experiment(waiting.pop(0))
        waiting += follow_up.experiments
        if follow_up.claim:
            actions.complete_claim(follow_up.claim)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def claim(corpus, corpus_dir) -> Claim:
    return claim_tested_here(corpus, corpus_dir, ["digits-mlp"])


def test_the_report_shows_four_distributions_and_where_the_claim_falls(client, alice, claim):
    client.force_login(alice)

    report = client.get(f"/lab/claims/{claim.pk}/report.json").json()

    assert report["claim"]["claimed_score"] == 0.953 and report["claim"]["seeds"] == [11]
    (setup,) = report["setups"]
    distributions = {d["kind"]: d for d in setup["distributions"]}
    assert list(distributions) == [
        "fixed_seed",
        "seed_only",
        "hyperparameter_search",
        "bootstrap_best",
    ]
    assert [d["n"] for d in distributions.values()] == [4, 2, 2, 1000]
    for d in distributions.values():
        below = sum(score < 0.953 for score in d["scores"]) / d["n"]
        ties = sum(score == 0.953 for score in d["scores"]) / d["n"]
        assert d["claim_percentile"] == pytest.approx(100 * (below + ties / 2))
        assert d["ci"]["low"] <= d["mean"] <= d["ci"]["high"]
    # Each run's test score, as stored, is what the distributions are made of.
    runs = claim.experiments.get(kind="seed_only").runs.order_by("index")
    assert distributions["seed_only"]["scores"] == [run.test_metric for run in runs]
    best = setup["best"]
    assert best["low"] <= best["test"] <= best["high"]
    assert setup["expected_max_dev"]["hyperparameter_search"]["budgets"] == [1, 2]
    assert [m["bit_identical"] for m in setup["fixed_seed"]["modes"]] == [True, True]
    assert report["comparison"] is None
    assert report["verdict"] == claim.verdict
    assert claim.verdict.startswith("On the stand-in setup digits-mlp: the claimed 0.9530 is ")
    assert "test-set bootstrap interval" in claim.verdict and "(trained once)" in claim.verdict
    assert "training seeds and the luck of picking the best" in setup["findings"][-1]
    assert distributions["seed_only"]["ci"]["method"] == "Student t"
    assert "seed 11 reran bit for bit without deterministic algorithms on cpu." in claim.verdict


def test_a_retrained_best_model_says_its_interval_holds_the_training_seeds(corpus, corpus_dir):
    claim = claim_tested_here(corpus, corpus_dir, ["digits-mlp"], retrain=2)

    (setup,) = claim.report["setups"]
    best_of = claim.experiments.get(kind="bootstrap_best")
    assert best_of.runs_done == 2 and len(best_of.summary["retrained"]) == 2
    assert setup["best"]["retrained"] == 2
    assert "of its best model on dev (retrained with 2 seeds)" in claim.verdict
    findings = setup["findings"]
    assert "holds the test set's sampling and the spread over 2 training seeds" in findings[-1]
    assert "the luck of picking that configuration on dev and the data split" in findings[-1]
    assert "(all on the setup's one train/dev/test split)" in findings[-2]


def test_a_claim_above_everything_the_setup_reaches_is_said_to_be_out_of_reach(corpus, corpus_dir):
    claim = claim_tested_here(corpus, corpus_dir, ["digits-mlp"], claimed_score=0.999)

    (setup,) = claim.report["setups"]
    assert [d["claim_percentile"] for d in setup["distributions"]] == [100.0] * 4
    assert "is above the 95% test-set bootstrap interval" in claim.verdict
    assert "the stand-in setup's best model does not reach the claim" in setup["findings"][-1]


def test_two_setups_get_the_sound_comparison_next_to_the_seed_only_one(corpus, corpus_dir):
    claim = claim_tested_here(corpus, corpus_dir, ["digits-mlp", "digits-knn-graph"])

    comparison = claim.report["comparison"]
    best_models = comparison["sound"]["best_models"]
    assert best_models["unit"] == "example" and best_models["paired_bootstrap"]["n"] == 359
    families = comparison["sound"]["families"]
    assert families["unit"] == "run" and not families["seed_only"]
    assert families["aso"] is not None and families["mann_whitney"]["p_value"] is not None
    risky = comparison["risky"]["seed_only"]
    assert risky["seed_only"] and SEED_ONLY_WARNING in risky["warnings"]
    assert [s["setup"] for s in claim.report["setups"]] == ["digits-mlp", "digits-knn-graph"]
    assert claim.verdict == comparison["verdict"]
    assert claim.verdict.startswith("digits-mlp vs digits-knn-graph, on the stand-in setups")
    assert "The risky seed-only comparison: " in claim.verdict
    judged = comparison["judged"]
    # Two runs of each setup: the run comparisons are refused, the best models still judged
    # on 359 examples, with Holm over the one test the report could run.
    assert judged["families"]["outcome"] == judged["seed_only"]["outcome"] == "too few runs"
    assert "too few runs to tell digits-mlp and digits-knn-graph apart (2 and 2" in claim.verdict
    assert judged["best_models"]["tests_in_report"] == 1
    # The paper's claim, its model (the first setup) beating the baseline, is tested one-sided.
    assert "testing the paper's claim that its model (digits-mlp) beats the baseline" in (
        claim.verdict
    )
    assert (
        "Over all hyperparameters: the claim that digits-mlp beats digits-knn-graph is not "
        "supported: too few runs to tell" in claim.verdict
    )
    best = judged["best_models"]
    assert best["claimed_better"] == "digits-mlp"
    found = "supported" if best["claim_supported"] else "not supported"
    assert (
        f"the best models on the same test examples: the claim that digits-mlp beats "
        f"digits-knn-graph is {found} (one-sided test, decided before seeing the scores): "
        "digits-mlp − digits-knn-graph = " in claim.verdict
    )
    assert "one-sided permutation test p" in best["text"]


def test_the_pdf_has_the_verdict_the_tables_and_the_charts(client, alice, claim):
    client.force_login(alice)

    response = client.get(f"/lab/claims/{claim.pk}/report.pdf")

    assert response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        tables = [table for page in pdf.pages for table in page.extract_tables()]
        images = sum(len(page.images) for page in pdf.pages)
    flat = " ".join(text.split())
    assert f"Lab report: claim {claim.pk}" in flat
    assert "Each experiment is run using a random seed of 11" in flat
    assert claim.verdict[:80] in flat
    # One table, its header repeated where it runs onto the next page.
    header = ["Distribution", "n", "Mean", "95% interval", "Range", "Claim above"]
    rows = [[" ".join((cell or "").split()) for cell in row] for t in tables for row in t]
    assert rows[0] == header
    assert [row[:2] for row in rows if row != header] == [
        ["The claimed seed, rerun", "4"],
        ["Only the seed varied", "2"],
        ["All hyperparameters varied", "2"],
        ["Best model, test set resampled", "1000"],
    ]
    assert images == 2  # the distributions and the expected maximum


def test_the_page_shows_the_verdict_and_serves_its_charts(client, alice, claim):
    client.force_login(alice)

    html = client.get(f"/lab/claims/{claim.pk}/").content.decode()
    svg = client.get(f"/lab/claims/{claim.pk}/charts/distributions-0.svg")
    png = client.get(f"/lab/claims/{claim.pk}/charts/expected-max.png")

    assert claim.verdict in html.replace("&#x27;", "'")
    assert f'src="/lab/claims/{claim.pk}/charts/distributions-0.svg"' in html
    assert f'src="/lab/claims/{claim.pk}/charts/expected-max.svg"' in html
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert png.content.startswith(b"\x89PNG")
    assert client.get(f"/lab/claims/{claim.pk}/charts/distributions-1.svg").status_code == 404
    assert client.get(f"/lab/claims/{claim.pk}/charts/expected-max.gif").status_code == 404


def test_there_is_no_report_to_download_before_the_experiments_end(
    client, alice, corpus, corpus_dir
):
    sentence = li2022_seed_sentence(corpus, corpus_dir)
    claim = actions.create_claim(
        sentence, setups=["digits-mlp"], claimed_score=0.9, seeds=[1], runs=2
    )
    client.force_login(alice)

    assert client.get(f"/lab/claims/{claim.pk}/report.json").status_code == 404
    assert client.get(f"/lab/claims/{claim.pk}/report.pdf").status_code == 404
    page = client.get(f"/lab/claims/{claim.pk}/").content.decode()
    assert "Running: 0 of 4 experiments done." in page
    assert "report.pdf" not in page and '<h2 id="verdict-title">' not in page
