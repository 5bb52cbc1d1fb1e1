"""Ingestion through a real Celery worker process, on the filesystem broker and on Redis."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from audit.models import Paper
from tests import pdfs
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


def test_the_command_queues_papers_and_waits_for_the_worker(celery_worker, corpus_dir):
    out = io.StringIO()
    call_command(
        "ingest",
        str(corpus_dir / "li2022-discourse-deixis.pdf"),
        str(corpus_dir / "aralikatte2019-coref-rl.pdf"),
        "--json",
        "--timeout",
        "120",
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in rows] == ["done", "done"]
    assert rows[1]["seed_sentences"][0]["text"].startswith("We repeat this experiment three times")


def test_a_worker_killed_mid_paper_loses_nothing(celery_worker, corpus_dir, tmp_path):
    long_paper = pdfs.merged(
        tmp_path / "long.pdf", sorted(corpus_dir.glob("*.pdf")) + sorted(corpus_dir.glob("*.pdf"))
    )
    call_command("ingest", str(long_paper), "--no-wait", stderr=io.StringIO())
    paper = Paper.objects.get()
    wait_for(
        lambda: Paper.objects.filter(pk=paper.pk, status="processing", progress__gt=0).exists(),
        what="the worker to start on the paper",
        worker=celery_worker,
    )

    celery_worker.kill()
    paper.refresh_from_db()
    assert paper.status == Paper.Status.PROCESSING

    celery_worker.start()
    wait_for(
        lambda: Paper.objects.filter(pk=paper.pk, status="done").exists(),
        timeout=120,
        what="a new worker to finish the paper",
        worker=celery_worker,
    )
    paper.refresh_from_db()
    assert paper.pages > 200
    assert paper.sentences.filter(is_seed=True).exists()
