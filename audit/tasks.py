"""Celery tasks: thin shells around `audit.actions`; they take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from audit import actions
from audit.heartbeat import beating
from audit.models import Paper


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def ingest_paper(paper_id: int) -> None:
    with beating(Paper.objects.filter(pk=paper_id, status=Paper.Status.PROCESSING)):
        actions.process_paper(paper_id)


def queue_paper(paper_id: int) -> None:
    Paper.objects.filter(pk=paper_id).update(heartbeat_at=timezone.now())
    ingest_paper.delay(paper_id)


@worker_ready.connect
def requeue_unfinished(**kwargs) -> None:
    # A worker killed mid-paper leaves it pending or processing, and not every broker hands the
    # message out again (kombu's filesystem transport does not). Papers are idempotent to
    # process, so a starting worker simply queues every unfinished paper once more; while it
    # runs, its sweep (audit.sweep) queues again what other workers lose.
    for paper_id in Paper.objects.filter(status__in=actions.UNFINISHED).values_list(
        "pk", flat=True
    ):
        ingest_paper.delay(paper_id)
