"""Papers and experiments side by side on real workers: the demo's workers keep papers flowing
while an experiment trains, and `ingest` tells "no worker" from "workers busy"."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from kombu import Connection

from audit.lab import actions
from audit.lab.models import Experiment
from audit.lab.tasks import queue_experiment
from audit.management.commands import demo, ingest
from tests.conftest import Worker, _use_broker, wait_for

pytestmark = pytest.mark.worker
ON_FILESYSTEM_BROKER = pytest.mark.parametrize("celery_worker", ["filesystem://"], indirect=True)


@pytest.fixture
def long_experiment(transactional_db):
    """An experiment that trains for minutes, reruns one by one; running on a worker."""
    experiment = actions.create_experiment("digits-knn-graph", "fixed_seed", 400, 3, "cpu")
    queue_experiment(experiment.pk)
    yield experiment
    stop(experiment)


def run_ingest(corpus_dir, *options: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "ingest", str(corpus_dir / "li2022-discourse-deixis.pdf"), "--json", *options,
            stdout=out, stderr=err,
        )  # fmt: skip
    except CommandError as error:
        err.write(f"\n{error}")
    return out.getvalue(), err.getvalue()


@ON_FILESYSTEM_BROKER
def test_one_worker_for_both_queues_is_reported_busy_with_the_experiment(
    celery_worker, long_experiment, corpus_dir, monkeypatch
):
    """The old demo: one single-process worker for `default` and `lab`."""
    wait_for(
        lambda: _running(long_experiment), what="the experiment to start", worker=celery_worker
    )
    monkeypatch.setattr(ingest, "WORKER_HINT_AFTER_S", 1)

    _, err = run_ingest(corpus_dir, "--timeout", "6")

    assert (
        f"The workers are busy (experiment {long_experiment.pk}: fixed_seed on digits-knn-graph"
        in err
    )
    assert "none free consumes the `default` queue. This work waits its turn" in err
    assert "No Celery worker" not in err
    assert "Gave up after 6 s: 1 paper is still queued or being processed" in err


def test_with_no_worker_ingest_says_so(transactional_db, corpus_dir, monkeypatch):
    _use_broker("filesystem://", monkeypatch)
    monkeypatch.setattr(ingest, "WORKER_HINT_AFTER_S", 0.5)

    _, err = run_ingest(corpus_dir, "--timeout", "4")

    assert "No Celery worker is running for the `default` queue: start one with " in err
    assert "`celery -A audit worker -Q default`, or use --sync." in err


@ON_FILESYSTEM_BROKER
def test_the_demos_workers_ingest_a_paper_while_an_experiment_trains(
    celery_worker, corpus_dir, tmp_path
):
    """`make demo` starts one worker per queue (`demo.WORKER_QUEUES`); here the fixture's
    worker takes `lab` work only, as the demo's lab worker does, beside a `default` one."""
    assert demo.WORKER_QUEUES == ("default", "lab")
    celery_worker.stop()
    celery_worker.queues = "lab"
    celery_worker.start()
    papers = Worker(celery_worker.broker, tmp_path / "default.log", queues="default")
    papers.start()
    experiment = actions.create_experiment("digits-knn-graph", "fixed_seed", 400, 3, "cpu")
    queue_experiment(experiment.pk)
    try:
        wait_for(lambda: _running(experiment), what="the experiment to start", worker=celery_worker)

        out, _ = run_ingest(corpus_dir, "--timeout", "120")

        assert json.loads(out)["status"] == "done"
        assert _running(experiment)  # still training: the paper did not wait for it
    finally:
        stop(experiment)
        papers.stop()


def stop(experiment) -> None:
    """Ask the worker to stop the experiment after its current run."""
    Experiment.objects.filter(pk=experiment.pk).update(cancel_requested=True)


def _running(experiment) -> bool:
    experiment.refresh_from_db()
    return experiment.status == "running"


def test_the_default_broker_connects_without_a_hostname_warning(caplog, settings):
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        Connection(settings.DEFAULT_BROKER_URL).info()

    assert settings.DEFAULT_BROKER_URL.startswith("filesystem://")
    assert "No hostname was supplied" not in caplog.text
