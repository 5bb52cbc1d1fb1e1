"""One lab claim end to end: what "Test this claim" costs, through a real Celery worker.

Starts a worker process (both queues, as `celery -A audit worker` runs) on this site's database
and broker, creates a claim on a scratch paper as the claim form does (`create_claim`, then
`queue_claim`) and times it from that submit until the claim's report is stored: queueing, every
experiment of every setup, the report. The scratch corpus and its claim are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from audit.celery import database_url
from audit.lab.tasks import lab_worker_pool

# The claim form's two setups when a user compares a plain model with a graph model.
DEFAULT_SETUPS = ("digits-mlp", "digits-knn-graph")
_SENTENCE = "Each experiment is run using a random seed of 11 and we report the test accuracy."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=4, help="runs per experiment (default 4)")
    parser.add_argument(
        "--setups", nargs="+", default=list(DEFAULT_SETUPS), help="lab setups (at most two)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes on a machine without a GPU (default: one per core)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="give up after this many seconds"
    )


def run(options: dict) -> dict:
    from audit.lab import actions
    from audit.lab.claims import trained_runs
    from audit.lab.models import Claim
    from audit.lab.tasks import queue_claim
    from audit.models import Corpus, Paper, Sentence
    from audit.taxonomy import Label

    setups, n = options["setups"][:2], options["n"]
    corpus = Corpus.objects.create(name=f"benchmark claim {uuid.uuid4().hex[:12]}")
    try:
        paper = Paper.objects.create(
            corpus=corpus,
            original_name="benchmark.pdf",
            sha256=uuid.uuid4().hex * 2,
            status=Paper.Status.DONE,
            pages=1,
        )
        sentence = Sentence.objects.create(
            paper=paper,
            index=0,
            paragraph=0,
            page=1,
            text=_SENTENCE,
            is_seed=True,
            terms=["random seed of 11"],
            suggested_label=Label.FIXED_SEED,
        )
        with _worker(options["concurrency"]):
            started = time.perf_counter()
            with transaction.atomic():
                claim = actions.create_claim(
                    sentence, setups=setups, claimed_score=0.95, seeds=[11], runs=n
                )
                queue_claim(claim)
            claim = _wait_for_report(claim.pk, started + options["timeout"])
            seconds = time.perf_counter() - started
        if claim.report is None:
            raise SystemExit(f"The claim ended without a report: {claim.error}")
    finally:
        Claim.objects.filter(paper__corpus=corpus).delete()
        corpus.delete()
    return {
        "setups": setups,
        "n": n,
        "runs": trained_runs(n, len(setups)),
        "seconds": round(seconds, 2),
    }


def render(result: dict) -> str:
    return (
        f"one claim, {' vs '.join(result['setups'])}, n = {result['n']} "
        f"({result['runs']} models trained, report included): {result['seconds']:.1f} s"
    )


def _wait_for_report(claim_id: int, deadline: float):
    from audit.lab.models import Claim, Experiment

    while True:
        claim = Claim.objects.get(pk=claim_id)
        if claim.report is not None or claim.error:
            return claim
        failed = claim.experiments.filter(status=Experiment.Status.FAILED).first()
        if failed is not None:
            raise SystemExit(
                f"The {failed.kind} experiment on {failed.setup} failed: {failed.error}"
            )
        if time.perf_counter() > deadline:
            raise SystemExit("The claim did not finish in time.")
        time.sleep(0.05)


class _worker:
    """A `celery -A audit worker` for the benchmark, on this process's database and broker,
    ready before the clock starts, pooled as a lab worker is (`lab_worker_pool`)."""

    def __init__(self, concurrency: int):
        self.pool = lab_worker_pool(concurrency)

    def __enter__(self) -> _worker:
        self.log = tempfile.NamedTemporaryFile(prefix="seedaudit-claim-worker-", suffix=".log")
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "audit", "worker", *self.pool,
             "-Q", "default,lab", "--without-gossip", "--without-mingle", "-l", "info",
             "-n", f"benchmark-{os.getpid()}@%h"],
            cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        log = Path(self.log.name)
        while b" ready." not in log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"The Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
