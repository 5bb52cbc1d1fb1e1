"""Celery tasks of the lab: thin shells around `audit.lab.actions`, on the `lab` queue.

`settings.CELERY_TASK_ROUTES` sends every `audit.lab.*` task to the `lab` queue, so that GPU
workers (`celery -A audit worker -Q lab`) can be machines of their own.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from audit.heartbeat import beating
from audit.lab import actions
from audit.lab.models import Claim, Experiment
from audit.lab.training import pick_device

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**RELIABLE)
def run_experiment(experiment_id: int) -> None:
    running = Experiment.objects.filter(pk=experiment_id, status=Experiment.Status.RUNNING)
    with beating(running):
        follow_up = actions.run_experiment(experiment_id)
    for waiting_id in follow_up.experiments:
        _queue(waiting_id)
    if follow_up.claim is not None:
        complete_claim.delay(follow_up.claim)


@shared_task(**RELIABLE)
def complete_claim(claim_id: int) -> None:
    actions.complete_claim(claim_id)


def queue_experiment(experiment_id: int) -> None:
    # After the commit, so that the worker finds the row.
    transaction.on_commit(lambda: _queue(experiment_id))


def _queue(experiment_id: int) -> None:
    Experiment.objects.filter(pk=experiment_id).update(heartbeat_at=timezone.now())
    run_experiment.delay(experiment_id)


def queue_claim(claim: Claim) -> None:
    """Queue the claim's experiments; those that resample another start when it is done."""
    for experiment_id in claim.experiments.filter(source__isnull=True).values_list("pk", flat=True):
        queue_experiment(experiment_id)


def lab_worker_pool(concurrency: int | None = None) -> list[str]:
    """`celery worker` options for a lab worker on this machine: one process on a GPU machine;
    on a CPU, a prefork pool (one process per core unless `concurrency` says otherwise) whose
    processes train on one thread each, so that a claim's experiments run side by side."""
    if pick_device().type == "cuda":
        return ["--pool=solo"]
    return ["--pool=prefork", *([f"--concurrency={concurrency}"] if concurrency else [])]


def lab_queue() -> str:
    return settings.CELERY_TASK_ROUTES["audit.lab.*"]["queue"]


@worker_ready.connect
def requeue_unfinished_experiments(sender, **kwargs) -> None:
    # A worker killed mid-experiment leaves it running, and not every broker hands the message
    # out again (kombu's filesystem transport does not). Experiments resume from their stored
    # runs, so a starting lab worker queues every unfinished one once more; a task still alive
    # elsewhere hands over to the new one after its current slice (see actions.run_experiment).
    if lab_queue() not in {queue.name for queue in sender.task_consumer.queues}:
        return
    experiments, claims = actions.unfinished_work()
    for experiment_id in experiments:
        run_experiment.delay(experiment_id)
    for claim_id in claims:
        complete_claim.delay(claim_id)
