"""Work left behind: running workers queue lost papers and experiments again, a worker without
its database stops taking tasks, and `ingest` stops waiting when no worker works."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from audit import actions
from audit.ingest.sources import from_paths
from audit.lab import actions as lab_actions
from audit.lab.models import Experiment
from audit.models import Corpus, Paper
from audit.sweep import waiting_messages
from audit.tasks import queue_paper
from tests.conftest import (
    REDIS_TEST_URL,
    ROOT,
    Worker,
    _broker_available,
    _use_broker,
    wait_for,
)

pytestmark = pytest.mark.worker

# Beats this fast make "silent for eight beats" two seconds, so lost work shows up quickly.
FAST_BEATS = {"SEEDAUDIT_HEARTBEAT_SECONDS": "0.25"}


@pytest.fixture(params=["filesystem://", REDIS_TEST_URL], ids=["filesystem", "redis"])
def broker(request, transactional_db, monkeypatch) -> str:
    if not _broker_available(request.param):
        pytest.skip(f"Redis is not reachable at {request.param}")
    _use_broker(request.param, monkeypatch)
    return request.param


@pytest.fixture
def sweeping_worker(broker, tmp_path):
    worker = Worker(broker, tmp_path / "worker.log", queues="default,lab", env=FAST_BEATS)
    worker.start()
    yield worker
    worker.stop()


def registered(corpus_dir, name: str = "li2022-discourse-deixis.pdf") -> Paper:
    """A paper added to a corpus but never queued, as a lost message leaves it."""
    corpus = Corpus.objects.get_or_create(name="acl")[0]
    (source,) = from_paths([corpus_dir / name], actions.upload_limits())
    return actions.add_source(corpus, source).paper


def done(model, pk: int) -> bool:
    return model.objects.filter(pk=pk, status="done").exists()


class TestTheSweep:
    def test_a_pending_paper_whose_message_was_lost_is_done_without_a_restart(
        self, sweeping_worker, corpus_dir
    ):
        paper = registered(corpus_dir)
        wait_for(
            lambda: done(Paper, paper.pk),
            what="the sweep to queue the paper",
            worker=sweeping_worker,
        )

    def test_a_paper_whose_worker_was_lost_is_done_without_a_restart(
        self, sweeping_worker, corpus_dir
    ):
        paper = registered(corpus_dir)
        Paper.objects.filter(pk=paper.pk).update(
            status=Paper.Status.PROCESSING,
            progress=40,
            attempts=1,
            heartbeat_at=timezone.now() - timedelta(minutes=5),
        )
        wait_for(
            lambda: done(Paper, paper.pk),
            what="the sweep to queue the paper",
            worker=sweeping_worker,
        )
        assert "Queued again, lost by their worker: papers [" in sweeping_worker.log.read_text()

    def test_an_experiment_whose_worker_was_lost_is_done_without_a_restart(self, sweeping_worker):
        experiment = lab_actions.create_experiment("digits-mlp", "seed_only", 2, 5, "cpu")
        Experiment.objects.filter(pk=experiment.pk).update(
            status=Experiment.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
        )
        wait_for(
            lambda: done(Experiment, experiment.pk),
            timeout=240,
            what="the sweep to queue it",
            worker=sweeping_worker,
        )


class TestPapersAtTheirLimit:
    def test_a_paper_that_keeps_killing_its_worker_fails_with_advice(self, corpus_dir, db):
        paper = registered(corpus_dir)
        Paper.objects.filter(pk=paper.pk).update(
            status=Paper.Status.PROCESSING, attempts=actions.MAX_ATTEMPTS
        )
        actions.process_paper(paper.pk)
        paper.refresh_from_db()
        assert paper.status == Paper.Status.FAILED
        assert "cut short 3 times" in paper.error and "Split it" in paper.error


class TestIngestWithoutWorkers:
    def test_it_stops_waiting_when_no_worker_works(self, corpus_dir, settings, db, monkeypatch):
        _use_broker("filesystem://", monkeypatch)
        settings.SEEDAUDIT_HEARTBEAT_SECONDS = 0.1
        with pytest.raises(CommandError, match="Nothing has worked on the papers for") as error:
            call_command(
                "ingest",
                str(corpus_dir / "li2022-discourse-deixis.pdf"),
                "--timeout",
                "60",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        assert "No Celery worker is running for the `default` queue" in str(error.value)
        assert "Papers still queued: 1; they are kept" in str(error.value)
        assert Paper.objects.get().status == Paper.Status.PENDING


def test_ingest_without_its_database_says_so_in_one_line(corpus_dir):
    env = {**os.environ, "DATABASE_URL": "postgresql://seedaudit@127.0.0.1:9/nowhere"}
    done = subprocess.run(
        [sys.executable, "manage.py", "ingest", str(corpus_dir / "li2022-discourse-deixis.pdf")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("CommandError: Cannot use the database (")
    assert "point DATABASE_URL at it" in line


class Outage:
    """A TCP proxy in front of the test database that the test can cut, as a network outage
    or a database restart would."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            upstream = socket.create_connection(self.upstream)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()

    def cut(self) -> None:
        self.cut_off = True
        for open_socket in self.sockets:
            with contextlib.suppress(OSError):
                open_socket.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def mend(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def outage(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a database on the network is needed to cut it off (run on PostgreSQL)")
    db = connection.settings_dict
    proxy = Outage(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    yield proxy
    proxy.close()


def test_a_worker_without_its_database_stops_taking_tasks_until_it_is_back(
    outage, broker, tmp_path, corpus_dir
):
    db = connection.settings_dict
    through_proxy = f"postgresql://{db['USER']}@127.0.0.1:{outage.port}/{db['NAME']}"
    worker = Worker(
        broker,
        tmp_path / "worker.log",
        queues="default",
        env=FAST_BEATS | {"DATABASE_URL": through_proxy},
    )
    worker.start()
    try:
        outage.cut()
        wait_for(
            lambda: "The database is unreachable" in worker.log.read_text(),
            what="the worker to notice",
            worker=worker,
        )
        paper = registered(corpus_dir)
        queue_paper(paper.pk)
        wait_for(
            lambda: "Canceling queue default" in worker.log.read_text(),
            what="the pause",
            worker=worker,
        )
        # The message stays with the broker instead of being taken, retried and dropped.
        threading.Event().wait(3)
        assert waiting_messages("default") == 1
        assert Paper.objects.get(pk=paper.pk).status == Paper.Status.PENDING

        outage.mend()
        wait_for(
            lambda: done(Paper, paper.pk),
            what="the worker to take the paper when back",
            worker=worker,
        )
        assert "The database is reachable again" in worker.log.read_text()
    finally:
        worker.stop()
