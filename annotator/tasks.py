"""Celery tasks of annotation projects: thin shells around `annotator.learning`."""

from __future__ import annotations

from celery import shared_task

from annotator import learning
from audit.lab.tasks import RELIABLE
from audit.seeduse import versions


@shared_task(**RELIABLE)
def retrain_seed_model(project_id: int) -> None:
    learning.train_version(project_id)


@shared_task(**RELIABLE)
def rescore_corpus(corpus_id: int) -> None:
    versions.rescore_corpus(corpus_id)
