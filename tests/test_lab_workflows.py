"""The lab's experiments through a real Celery worker on the lab queue: every kind, a worker
killed mid-experiment, cancelling from the page, a claim from the form to its report."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from audit.lab import actions
from audit.lab.actions import RUNS_PER_SLICE
from audit.lab.models import Claim, Experiment, Run
from audit.lab.tasks import queue_experiment
from tests.conftest import wait_for
from tests.test_lab_claims import FORM, li2022_seed_sentence

pytestmark = pytest.mark.worker

ON_FILESYSTEM_BROKER = pytest.mark.parametrize("celery_worker", ["filesystem://"], indirect=True)


def run_count(experiment_id: int) -> int:
    return Run.objects.filter(experiment_id=experiment_id).count()


def test_every_kind_of_experiment_runs_on_a_lab_worker(celery_worker):
    for kind, runs in [
        ("fixed_seed", 4),
        ("seed_only", 2),
        ("hyperparameter_search", 2),
        ("bootstrap_best", 2),
    ]:
        out = io.StringIO()
        call_command(
            "lab", "run", "digits-mlp", "--experiment", kind, "--n", "2", "--seed", "8",
            "--json", "--timeout", "120", stdout=out, stderr=io.StringIO(),
        )  # fmt: skip
        result = json.loads(out.getvalue())
        assert (result["experiment"], len(result["runs"])) == (kind, runs)
        assert result["summary"]
    assert list(Experiment.objects.values_list("status", flat=True)) == ["done"] * 4
    assert Run.objects.count() == 10


def test_a_worker_killed_mid_experiment_resumes_from_its_finished_runs(celery_worker):
    # Two slices of 64 runs on a CPU: the worker is killed once the first is stored.
    runs = 2 * RUNS_PER_SLICE["cpu"]
    experiment = actions.create_experiment("digits-mlp", "seed_only", runs, 5, "cpu")
    queue_experiment(experiment.pk)
    wait_for(
        lambda: run_count(experiment.pk) > 0, what="the first slice of runs", worker=celery_worker
    )

    celery_worker.kill()
    before = dict(Run.objects.values_list("index", "weights_sha256"))
    experiment.refresh_from_db()
    assert experiment.status == "running" and len(before) == runs // 2

    celery_worker.start()
    wait_for(
        lambda: Experiment.objects.filter(pk=experiment.pk, status="done").exists(),
        timeout=180,
        what="a new worker to finish the experiment",
        worker=celery_worker,
    )
    after = dict(Run.objects.values_list("index", "weights_sha256"))
    assert sorted(after) == list(range(runs))
    # The runs finished before the kill are kept as they were, not trained again.
    assert {index: after[index] for index in before} == before
    experiment.refresh_from_db()
    assert experiment.runs_done == runs and experiment.summary["runs"] == runs


@ON_FILESYSTEM_BROKER
def test_cancelling_from_the_page_stops_the_worker_and_keeps_the_finished_runs(
    celery_worker, client, alice, corpus, corpus_dir
):
    sentence = li2022_seed_sentence(corpus, corpus_dir)
    client.force_login(alice)
    client.post(f"/lab/sentences/{sentence.pk}/test/", FORM | {"runs": "40"})
    fixed = Experiment.objects.get(kind="fixed_seed")
    wait_for(lambda: run_count(fixed.pk) >= 2, what="the first reruns", worker=celery_worker)

    client.post(f"/lab/claims/{fixed.claim_id}/cancel/")

    wait_for(
        lambda: Experiment.objects.filter(pk=fixed.pk, status="cancelled").exists(),
        what="the worker to stop",
        worker=celery_worker,
    )
    fixed.refresh_from_db()
    assert 2 <= fixed.runs_done < fixed.runs_planned == 80
    assert run_count(fixed.pk) == fixed.runs_done
    # The worker may have finished another experiment first (the filesystem broker keeps no
    # strict order): one that is done stays done, every other one is cancelled.
    others = set(Experiment.objects.exclude(pk=fixed.pk).values_list("status", flat=True))
    assert others <= {"done", "cancelled"}
    status = client.get(f"/lab/claims/{fixed.claim_id}/status.json").json()
    assert status["finished"] and not status["report_ready"]


@ON_FILESYSTEM_BROKER
def test_a_claim_goes_from_the_form_to_its_report_on_the_worker(
    celery_worker, client, alice, corpus, corpus_dir
):
    sentence = li2022_seed_sentence(corpus, corpus_dir)
    client.force_login(alice)

    client.post(
        f"/lab/sentences/{sentence.pk}/test/",
        FORM | {"other_setup": "digits-knn-graph", "runs": "2"},
    )

    claim = Claim.objects.get()
    wait_for(
        lambda: Claim.objects.filter(pk=claim.pk, report__isnull=False).exists(),
        timeout=300,
        what="the experiments and the report",
        worker=celery_worker,
    )
    claim.refresh_from_db()
    assert set(claim.experiments.values_list("status", flat=True)) == {"done"}
    # The best model is resampled from the search's runs, not trained again.
    assert not Run.objects.filter(experiment__kind="bootstrap_best").exists()
    assert Run.objects.count() == 2 * (4 + 2 + 2)
    assert claim.verdict.startswith(
        "digits-mlp vs digits-knn-graph, on the stand-in setups, testing the paper's claim that "
        "its model (digits-mlp) beats the baseline (digits-knn-graph): the best models on the same "
        "test examples"
    )
    status = client.get(f"/lab/claims/{claim.pk}/status.json").json()
    assert status["report_ready"] and status["state"] == claim.verdict
