"""The workers' sweep: work left unfinished by a lost worker or a lost message, queued again.

Every worker runs it once a heartbeat (see `audit.watch`), so nothing waits for a worker to
restart. Work is lost when it is unfinished and silent (see `audit.heartbeat`): processing with
no beat for a while, or pending with no beat while its queue holds no message at all (a long
queue holds pending work that is simply waiting its turn). Requeueing is a compare-and-set on
the heartbeat, so of several workers sweeping at once only one queues each piece of work, and
the tasks themselves are safe to run twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from amqp.exceptions import ChannelError
from django.db.models import Max, Q
from django.utils import timezone

from audit import actions
from audit.celery import app
from audit.heartbeat import silent_since
from audit.lab.models import Claim, Experiment
from audit.lab.tasks import complete_claim, lab_queue, run_experiment
from audit.models import Paper
from audit.tasks import ingest_paper

# Enough for any real backlog, few enough for one sweep to stay short.
BATCH = 500
NOT_DONE = [status for status in Experiment.Status.values if status != Experiment.Status.DONE]


@dataclass(frozen=True)
class Swept:
    papers: list[int]
    experiments: list[int]
    claims: list[int]


def sweep() -> Swept:
    """Queue again the papers, experiments and claim reports that were lost."""
    silent = silent_since()
    papers = _requeue(
        Paper.objects.filter(status__in=actions.UNFINISHED),
        Paper.Status.PENDING,
        silent,
        app.conf.task_default_queue,
        ingest_paper,
    )
    experiments = _requeue(
        # A bootstrap of a search that is not done yet waits for it, not for a worker.
        Experiment.objects.filter(status__in=Experiment.UNFINISHED).filter(
            Q(source__isnull=True) | Q(source__status=Experiment.Status.DONE)
        ),
        Experiment.Status.PENDING,
        silent,
        lab_queue(),
        run_experiment,
    )
    claims = list(
        Claim.objects.filter(report__isnull=True, error="")
        .exclude(experiments__status__in=NOT_DONE)
        .annotate(finished=Max("experiments__finished_at"))
        .filter(finished__lt=silent)
        .values_list("pk", flat=True)[:BATCH]
    )
    for claim_id in claims:
        complete_claim.delay(claim_id)
    return Swept(papers, experiments, claims)


def _requeue(unfinished, pending: str, silent, queue: str, task) -> list[int]:
    lost = unfinished.filter(Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True))
    if waiting_messages(queue):
        lost = lost.exclude(status=pending)
    queued = []
    for pk, beat in lost.order_by("pk").values_list("pk", "heartbeat_at")[:BATCH]:
        # Only the sweep that moves the heartbeat queues it.
        if unfinished.model.objects.filter(pk=pk, heartbeat_at=beat).update(
            heartbeat_at=timezone.now()
        ):
            task.delay(pk)
            queued.append(pk)
    return queued


def waiting_messages(queue: str) -> int:
    """Messages waiting in `queue` on the broker (not counting those a worker holds)."""
    with app.connection_for_read() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True)[1]
        except ChannelError:
            return 0  # Redis keeps no empty queue: it does not exist
