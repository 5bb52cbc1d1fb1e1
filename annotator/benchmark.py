"""Annotation under load: simulated annotators fetch and label over HTTP, on PostgreSQL.

The benchmark makes a throwaway PostgreSQL database, migrates it, fills it with `--sentences`
highlighted sentences in one project, starts the app under gunicorn (threaded workers) on
loopback, and runs `--annotators` simulated annotators at once. Each one, as the browser does,
fetches its next cards (excluding none) and submits a label for the first, with a fresh client
id; a share of the submissions is sent twice with the same id, as a browser retrying after a lost
answer would. It stops after `--requests` requests in all, then counts the labels stored against
the distinct labels the annotators made: a lost or doubled label shows as a difference.

Between a card arriving and its label, an annotator "reads" for `--think-ms` on average
(uniformly from half to one and a half times it). The default, half a second, is several times
faster than people label (seconds per sentence); `--think-ms 0` makes every annotator hammer the
server, which measures its throughput rather than what an annotator waits. The load generator
runs on the same two cores as the server and the database.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCHMARK_CORPUS = "benchmark"
SENTENCES_PER_PAPER = 100
# What the simulated sentences say; the numbers vary so that texts differ.
TEMPLATES = (
    "We report the mean and standard deviation over {n} random seeds for every model.",
    "All experiments use a fixed random seed of {n} for reproducibility.",
    "The best of {n} seeds on the development set is used for testing.",
    "We ensemble {n} models trained with different random seeds.",
    "Seed words for each of the {n} categories are taken from the lexicon.",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sentences", type=int, default=10_000, help="highlighted sentences")
    parser.add_argument("--annotators", type=int, default=20, help="annotators at once")
    parser.add_argument(
        "--requests", type=int, default=4_000, help="requests in all (fetches and submissions)"
    )
    parser.add_argument("--overlap", type=int, default=2, help="annotators per sentence")
    parser.add_argument(
        "--retry-share", type=float, default=0.1, help="share of submissions sent twice"
    )
    parser.add_argument(
        "--think-ms", type=float, default=500, help="mean pause before each label (default 500)"
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--cache",
        default=os.environ.get("BENCHMARK_CACHE", "redis://127.0.0.1:6379/0"),
        help="the CACHE_URL the server runs with, as README's Deploying sets it ('' for none)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCHMARK_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to make the throwaway database on",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")


def run(options: dict) -> dict:
    server = options["postgres"].rstrip("/")
    database = f"seedaudit_benchmark_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = f"{server}/{database}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DB_CONN_MAX_AGE": "600",
        "SEEDAUDIT_VAR_DIR": str(ROOT / "var" / "benchmark"),
        "CACHE_URL": options["cache"],
    }
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        setup = json.loads(
            _manage(
                env,
                "shell",
                "-c",
                "from annotator.benchmark import populate; populate("
                f"{options['sentences']}, {options['annotators']}, {options['overlap']})",
            )
            .strip()
            .splitlines()[-1]
        )
        port = _free_port()
        overrides = [
            argument
            for name in ("workers", "threads")
            if options[name]
            for argument in (f"--{name}", str(options[name]))
        ]
        server_process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "audit.wsgi:application",
             "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             *overrides, "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            _wait_for(port)
            load = _drive(port, setup, options)
        finally:
            server_process.terminate()
            server_process.wait(timeout=30)
        with psycopg.connect(url) as connection:
            (stored,) = connection.execute(
                "SELECT count(*) FROM annotator_assignment WHERE label <> ''"
            ).fetchone()
    finally:
        if not options["keep_database"]:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {
        "fetch_next": _percentiles(load["fetch_next"]),
        "submit": _percentiles(load["submit"]),
        "requests_per_s": load["requests"] / load["seconds"],
        "client_cpu_ms_per_request": 1000 * load["client_cpu"] / load["requests"],
        "labels_expected": load["labels"],
        "labels_stored": stored,
    }


def render(result: dict) -> str:
    lines = ["request       p50 ms   p95 ms   p99 ms"]
    for name in ("fetch_next", "submit"):
        p50, p95, p99 = (result[name][f"{p}_ms"] for p in ("p50", "p95", "p99"))
        lines.append(f"{name:12} {p50:7.1f}  {p95:7.1f}  {p99:7.1f}")
    lines.append(f"requests/s   {result['requests_per_s']:7.1f}")
    lines.append(f"client CPU   {result['client_cpu_ms_per_request']:7.2f} ms per request")
    verdict = "ok" if result["labels_stored"] == result["labels_expected"] else "MISMATCH"
    lines.append(
        f"labels       {result['labels_stored']} stored of {result['labels_expected']} made"
        f" ({verdict})"
    )
    return "\n".join(lines)


def populate(sentences: int, annotators: int, overlap: int) -> None:
    """Fill the benchmark database; print what the load needs as one JSON line.

    Runs inside `manage.py shell` against the throwaway database.
    """
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from annotator import actions
    from annotator.models import Membership
    from audit.models import Corpus, Paper, Sentence

    corpus = Corpus.objects.create(name=BENCHMARK_CORPUS)
    rng = random.Random(0)
    for first in range(0, sentences, SENTENCES_PER_PAPER):
        paper = Paper.objects.create(
            corpus=corpus,
            original_name=f"paper-{first // SENTENCES_PER_PAPER:04}.pdf",
            sha256=f"{first:064x}",
            status=Paper.Status.DONE,
            progress=100,
            pages=10,
            title=f"Benchmark paper {first // SENTENCES_PER_PAPER}",
            year=2022,
        )
        rows = []
        for index in range(min(SENTENCES_PER_PAPER, sentences - first)):
            text = rng.choice(TEMPLATES).format(n=rng.randint(2, 100))
            start = text.lower().find("seed")
            rows.append(
                Sentence(
                    paper=paper, index=index, paragraph=index // 4, page=1 + index // 10,
                    section="4 Experiments", text=text, is_seed=True, terms=["seed"],
                    spans=[[start, start + 4]],
                )
            )  # fmt: skip
        Sentence.objects.bulk_create(rows)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"annotator-{n:02}") for n in range(annotators)
    )
    project = actions.create_project(
        corpus,
        "benchmark",
        overlap=overlap,
        probe_share=0,
        members=[(user, Membership.Role.ANNOTATOR) for user in users],
    )
    sessions = []
    for user in users:
        # The session login() makes; logging 20 people in through PBKDF2 is not what is measured.
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Gone from the cache (CACHE_URL) within the hour; the database is dropped at the end.
        store.set_expiry(3600)
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({"project": project.pk, "sessions": sessions}))


def _manage(env: dict, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"manage.py {arguments[0]} failed:\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"The server did not listen on port {port} within {timeout} s.")


def _drive(port: int, setup: dict, options: dict) -> dict:
    """Run the annotators at once until the request budget is spent; their timings."""
    project = setup["project"]
    budget = options["requests"] // len(setup["sessions"])
    think = options["think_ms"] / 1000
    timings: dict[str, list[float]] = {"fetch_next": [], "submit": []}
    labelled: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def annotator(session: str, seed: int) -> None:
        rng = random.Random(seed)
        token = secrets.token_hex(16)
        headers = {"Cookie": f"sessionid={session}; csrftoken={token}"}
        post_headers = {**headers, "X-CSRFToken": token, "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine_fetch, mine_submit, mine_labels = [], [], []
        sent = 0
        try:
            # One untimed request first: worker start-up and connecting are not what is measured.
            connection.request("GET", f"/annotate/projects/{project}/api/next/", headers=headers)
            _read(connection)
            ready.wait()
            while sent < budget:
                started = time.perf_counter()
                connection.request(
                    "GET", f"/annotate/projects/{project}/api/next/?limit=2", headers=headers
                )
                answer = _read(connection)
                mine_fetch.append(time.perf_counter() - started)
                sent += 1
                if not answer["cards"] or sent >= budget:
                    break
                time.sleep(think * rng.uniform(0.5, 1.5))
                body = json.dumps(
                    {
                        "assignment": answer["cards"][0]["assignment"],
                        "label": rng.choice(["fixed_seed", "performance_comparison", "ensemble"]),
                        "note": "",
                        "client_id": str(uuid.uuid4()),
                    }
                )
                times = 2 if rng.random() < options["retry_share"] else 1
                for _ in range(min(times, budget - sent)):
                    started = time.perf_counter()
                    connection.request(
                        "POST", f"/annotate/projects/{project}/api/label/", body, post_headers
                    )
                    _read(connection)
                    mine_submit.append(time.perf_counter() - started)
                    sent += 1
                mine_labels.append(answer["cards"][0]["assignment"])
        except Exception as error:  # reported with the results, never silently dropped
            ready.abort()
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()
            with lock:
                timings["fetch_next"] += mine_fetch
                timings["submit"] += mine_submit
                labelled.extend(mine_labels)

    threads = [
        threading.Thread(target=annotator, args=(session, n))
        for n, session in enumerate(setup["sessions"])
    ]
    ready = threading.Barrier(len(threads) + 1)
    for thread in threads:
        thread.start()
    # An annotator that failed to start breaks the barrier; its error is raised below.
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    started = time.perf_counter()
    # The load generator's own share of the two cores: this process runs nothing else meanwhile.
    cpu_started = time.process_time()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_started
    if errors:
        raise RuntimeError(f"{len(errors)} annotators failed; the first: {errors[0]}")
    return {
        **timings,
        "requests": len(timings["fetch_next"]) + len(timings["submit"]),
        "seconds": seconds,
        "client_cpu": client_cpu,
        "labels": len(set(labelled)),
    }


def _read(connection: http.client.HTTPConnection) -> dict:
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
    return json.loads(body)


def _percentiles(seconds: list[float]) -> dict:
    p50, p95, p99 = np.percentile(np.array(seconds) * 1000, [50, 95, 99])
    return {"p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99)}
