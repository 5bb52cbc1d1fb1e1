"""Claims in pages: "Test this claim" on the paper page, its form, access, cancelling, verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import actions as annotator_actions
from audit import actions as audit_actions
from audit.ingest.sources import Limits, from_paths
from audit.lab import actions
from audit.lab.claims import paper_reports
from audit.lab.models import Claim, Experiment, Run
from audit.models import Corpus, Sentence

pytestmark = pytest.mark.django_db

FORM = {
    "setup": "digits-mlp",
    "other_setup": "",
    "claimed_score": "95.3",
    "seeds": "11",
    "runs": "4",
    "device": "cpu",
}


def li2022_seed_sentence(corpus: Corpus, corpus_dir: Path) -> Sentence:
    """li2022's one seed sentence, "Each experiment is run using a random seed of 11 ...",
    which the highlighter suggests is a fixed seed; the paper ingested for real."""
    limits = Limits(max_pdf_bytes=50 * 2**20, max_zip_bytes=0)
    (source,) = from_paths([corpus_dir / "li2022-discourse-deixis.pdf"], limits)
    paper = audit_actions.add_source(corpus, source).paper
    audit_actions.process_paper(paper.pk)
    return Sentence.objects.get(paper=paper, is_seed=True)


@pytest.fixture
def seed_sentence(corpus, corpus_dir) -> Sentence:
    return li2022_seed_sentence(corpus, corpus_dir)


def claim_for(sentence: Sentence, **changes) -> Claim:
    options = {"setups": ["digits-mlp"], "claimed_score": 0.953, "seeds": [11], "runs": 3}
    return actions.create_claim(sentence, **options | changes)


class TestPaperPage:
    def test_a_fixed_seed_sentence_offers_to_test_its_claim(self, client, alice, seed_sentence):
        assert seed_sentence.suggested_label == "fixed_seed"
        client.force_login(alice)

        html = client.get(f"/papers/{seed_sentence.paper_id}/").content.decode()

        assert f'href="/lab/sentences/{seed_sentence.pk}/test/">Test this claim</a>' in html

    def test_an_adjudicated_label_overrides_the_suggestion(
        self, client, alice, bob, corpus, seed_sentence
    ):
        project = annotator_actions.create_project(
            corpus, "seeds", overlap=1, members=[(bob, "annotator")]
        )
        item = project.items.get(sentence=seed_sentence)
        annotator_actions.adjudicate(item, "sensitivity", by=alice)
        client.force_login(alice)

        html = client.get(f"/papers/{seed_sentence.paper_id}/").content.decode()

        assert "Test this claim" not in html
        assert client.get(f"/lab/sentences/{seed_sentence.pk}/test/").status_code == 404

    def test_a_sentence_adjudicated_as_a_comparison_can_be_tested(
        self, client, alice, bob, corpus, seed_sentence
    ):
        Sentence.objects.filter(pk=seed_sentence.pk).update(suggested_label="sensitivity")
        project = annotator_actions.create_project(
            corpus, "seeds", overlap=1, members=[(bob, "annotator")]
        )
        annotator_actions.adjudicate(
            project.items.get(sentence=seed_sentence), "performance_comparison", by=alice
        )
        client.force_login(alice)

        response = client.get(f"/lab/sentences/{seed_sentence.pk}/test/")

        assert response.status_code == 200
        assert "labelled <strong>Performance comparison</strong>" in response.content.decode()

    def test_the_paper_page_links_the_reports_of_its_claims(self, client, alice, seed_sentence):
        claim = claim_for(seed_sentence)
        client.force_login(alice)

        html = client.get(f"/papers/{seed_sentence.paper_id}/").content.decode()

        assert f'href="/lab/claims/{claim.pk}/">lab report 1</a>' in html


class TestClaimForm:
    def test_it_creates_the_four_experiments_of_each_setup_and_shows_them(
        self, client, alice, seed_sentence
    ):
        client.force_login(alice)

        response = client.post(
            f"/lab/sentences/{seed_sentence.pk}/test/",
            FORM | {"other_setup": "digits-knn-graph"},
            follow=True,
        )

        claim = Claim.objects.get()
        assert response.redirect_chain[-1][0] == f"/lab/claims/{claim.pk}/"
        assert (claim.claimed_score, claim.seeds, claim.setups, claim.label) == (
            0.953,
            [11],
            ["digits-mlp", "digits-knn-graph"],
            "fixed_seed",
        )
        rows = claim.experiments.order_by("pk").values_list("setup", "kind", "runs_planned", "seed")
        assert list(rows) == [
            ("digits-mlp", "fixed_seed", 8, 11),
            ("digits-mlp", "seed_only", 4, 11),
            ("digits-mlp", "hyperparameter_search", 4, 11),
            ("digits-mlp", "bootstrap_best", 0, 11),
            ("digits-knn-graph", "fixed_seed", 8, 11),
            ("digits-knn-graph", "seed_only", 4, 11),
            ("digits-knn-graph", "hyperparameter_search", 4, 11),
            ("digits-knn-graph", "bootstrap_best", 0, 11),
        ]
        html = response.content.decode()
        assert "The experiments are queued" in html
        assert "Running: 0 of 8 experiments done." in html

    def test_asking_to_retrain_the_best_configuration_plans_those_runs(
        self, client, alice, seed_sentence
    ):
        client.force_login(alice)
        url = f"/lab/sentences/{seed_sentence.pk}/test/"

        refused = client.post(url, FORM | {"retrain": "1"})
        client.post(url, FORM | {"retrain": "3"})

        assert "Retrain with 2 seeds or more (one shows no spread), or 0." in (
            refused.content.decode()
        )
        best_of = Claim.objects.get().experiments.get(kind="bootstrap_best")
        assert (best_of.retrain, best_of.runs_planned) == (3, 3)

    def test_setups_tested_on_other_examples_cannot_be_compared(self, client, alice, seed_sentence):
        client.force_login(alice)

        response = client.post(
            f"/lab/sentences/{seed_sentence.pk}/test/", FORM | {"other_setup": "seed-sentences"}
        )

        assert response.status_code == 400
        assert "seed-sentences is tested on other examples than digits-mlp" in (
            response.content.decode()
        )
        assert not Claim.objects.exists()

    def test_a_score_as_a_fraction_is_kept_and_bad_seeds_are_refused(
        self, client, alice, seed_sentence
    ):
        client.force_login(alice)
        url = f"/lab/sentences/{seed_sentence.pk}/test/"

        refused = client.post(url, FORM | {"seeds": "eleven"})
        client.post(url, FORM | {"claimed_score": "0.71", "seeds": "1, 2;3"})

        assert "Give whole numbers separated by commas." in refused.content.decode()
        assert list(Claim.objects.values_list("claimed_score", "seeds")) == [(0.71, [1, 2, 3])]

    def test_it_says_how_long_the_claim_will_train_once_the_setups_have_run_here(
        self, client, alice, seed_sentence
    ):
        client.force_login(alice)
        url = f"/lab/sentences/{seed_sentence.pk}/test/"
        before = client.get(url).content.decode()
        fixed_seed = claim_for(seed_sentence).experiments.get(kind="fixed_seed")
        Run.objects.bulk_create(
            Run(
                experiment=fixed_seed, index=i, config={}, seed=11, deterministic=False,
                device="cpu", torch_version="2", trained_together=1, dev_metric=0.9,
                test_metric=0.9, test_predictions=[], test_gold=[], weights_sha256="0" * 64,
                seconds=seconds,
            )
            for i, seconds in enumerate([0.5, 1.5])
        )  # fmt: skip

        after = client.post(url, FORM | {"runs": "16", "claimed_score": "x"}).content.decode()
        retrained = client.post(
            url, FORM | {"runs": "16", "retrain": "20", "claimed_score": "x"}
        ).content.decode()

        assert "No estimate yet: a setup chosen has not been trained here before." in before
        # digits-mlp trains 4 models per run at 1 s each: 64 s for 16 runs per experiment.
        assert "About 64 s of training on the lab's workers" in after
        # And 20 more models to retrain the best configuration.
        assert "About 84 s of training on the lab's workers" in retrained


class TestAccess:
    def test_an_outsider_gets_404_for_the_form_the_claim_and_its_report(
        self, client, charlie, seed_sentence
    ):
        claim = claim_for(seed_sentence)
        client.force_login(charlie)

        for url in (
            f"/lab/sentences/{seed_sentence.pk}/test/",
            f"/lab/claims/{claim.pk}/",
            f"/lab/claims/{claim.pk}/status.json",
            f"/lab/claims/{claim.pk}/report.json",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/lab/claims/{claim.pk}/cancel/").status_code == 404
        assert client.post(f"/lab/sentences/{seed_sentence.pk}/test/", FORM).status_code == 404

    def test_a_member_sees_the_claim_and_its_progress(self, client, bob, seed_sentence):
        claim = claim_for(seed_sentence)
        client.force_login(bob)

        status = client.get(f"/lab/claims/{claim.pk}/status.json").json()

        assert status["finished"] is False and status["report_ready"] is False
        assert [(e["kind"], e["status"], e["runs_planned"]) for e in status["experiments"]] == [
            ("fixed_seed", "pending", 6),
            ("seed_only", "pending", 3),
            ("hyperparameter_search", "pending", 3),
            ("bootstrap_best", "pending", 0),
        ]


class TestCancel:
    def test_cancelling_a_waiting_claim_cancels_its_experiments_at_once(
        self, client, alice, seed_sentence
    ):
        claim = claim_for(seed_sentence, user=alice)
        client.force_login(alice)

        response = client.post(f"/lab/claims/{claim.pk}/cancel/", follow=True)

        assert set(claim.experiments.values_list("status", flat=True)) == {"cancelled"}
        assert "Not tested: cancelled before the experiments finished." in (
            response.content.decode()
        )
        # A task that arrives afterwards finds nothing to do.
        for experiment in claim.experiments.all():
            actions.run_experiment(experiment.pk)
        assert not claim.experiments.filter(runs__isnull=False).exists()

    def test_a_running_experiment_stops_after_its_current_slice_and_keeps_its_runs(
        self, seed_sentence
    ):
        claim = claim_for(seed_sentence)
        fixed = claim.experiments.get(kind="fixed_seed")

        def cancel_after_the_first_run(experiment):
            actions.cancel_claim(claim)

        actions.run_experiment(fixed.pk, on_progress=cancel_after_the_first_run)

        fixed.refresh_from_db()
        assert (fixed.status, fixed.runs_done, fixed.runs.count()) == ("cancelled", 1, 1)


class TestPaperReports:
    def test_each_claim_of_a_paper_comes_with_a_one_line_verdict(self, seed_sentence):
        waiting = claim_for(seed_sentence)
        failed = claim_for(seed_sentence, runs=2)
        Experiment.objects.filter(claim=failed, kind="seed_only").update(
            status="failed", error="CUDA was asked for"
        )

        reports = paper_reports(seed_sentence.paper)

        assert [(r.claim_id, r.finished, r.verdict) for r in reports] == [
            (
                failed.pk,
                True,
                "Not tested: the seed only experiment on digits-mlp failed: CUDA was asked for",
            ),
            (waiting.pk, False, "Running: 0 of 4 experiments done."),
        ]
        assert reports[1].url == f"/lab/claims/{waiting.pk}/"
        assert reports[1].sentence.startswith("Each experiment is run using a random seed of 11")
