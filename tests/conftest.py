"""Shared fixtures: personas, the real corpus, a real Celery worker, a real Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from audit.celery import database_url
from audit.models import Corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS2_DIR = ROOT.parent / "shared" / "corpus2"
OUTPUT_DIR = ROOT / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# next to it are still synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs a third of a second per persona; no test is about password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS_DIR


@pytest.fixture
def corpus2_dir() -> Path:
    if not CORPUS2_DIR.is_dir():
        pytest.skip("../shared/corpus2 is not present")
    return CORPUS2_DIR


@pytest.fixture
def alice(db):
    """Owns the corpus."""
    return get_user_model().objects.create_user("alice", password="alice-password")


@pytest.fixture
def bob(db):
    """A member of alice's corpus."""
    return get_user_model().objects.create_user("bob", password="bob-password")


@pytest.fixture
def charlie(db):
    """An outsider."""
    return get_user_model().objects.create_user("charlie", password="charlie-password")


@pytest.fixture
def corpus(alice, bob) -> Corpus:
    corpus = Corpus.objects.create(name="acl", owner=alice)
    corpus.members.add(bob)
    return corpus


def _broker_available(url: str) -> bool:
    if not url.startswith("redis"):
        return True
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


class Worker:
    """A `celery -A audit worker` process on the test database and a chosen broker."""

    def __init__(
        self, broker: str, log: Path, queues: str = "default", env: dict[str, str] | None = None
    ):
        self.broker = broker
        self.log = log
        self.queues = queues
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **self.env,
        }
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "audit", "worker", "--pool=solo",
                 "-Q", self.queues, "--without-gossip", "--without-mingle", "-l", "info",
                 "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited:\n{self.log.read_text()[offset:]}")
            if b" ready." in self.log.read_bytes()[offset:]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"The worker did not start:\n{self.log.read_text()[offset:]}")

    def kill(self) -> None:
        """Kill the worker at once, as a crash or an out-of-memory kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(
    condition, timeout: float = 60, what: str = "the condition", worker: Worker | None = None
):
    """Poll `condition` until it is true; a timeout shows what the worker logged meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    if worker is None:
        raise AssertionError(f"timed out waiting for {what}")
    code = worker.process.poll()
    state = "is running" if code is None else f"exited with code {code}"
    raise AssertionError(
        f"timed out waiting for {what}; the worker {state}, its log ends:\n"
        f"{worker.log.read_text()[-6000:]}"
    )


def _use_broker(broker: str, monkeypatch) -> None:
    """Point this test process's Celery app at `broker`, as the worker is, emptied first."""
    from audit.celery import app
    from audit.settings import broker_transport_options

    options = broker_transport_options(broker)
    if broker.startswith("redis"):
        import redis

        redis.Redis.from_url(broker).flushdb()
    else:
        shutil.rmtree(settings.VAR_DIR / "broker", ignore_errors=True)
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.setitem(app.conf, "broker_url", broker)
    monkeypatch.setitem(app.conf, "broker_transport_options", options)
    # Fresh connection pools for the new broker; the old ones stay for the tests after this.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.fixture(params=[settings.DEFAULT_BROKER_URL, REDIS_TEST_URL], ids=["filesystem", "redis"])
def celery_worker(request, transactional_db, monkeypatch, tmp_path) -> Iterator[Worker]:
    """A real worker process; the test is run once per broker (kombu filesystem, Redis)."""
    broker = request.param
    if not _broker_available(broker):
        pytest.skip(f"Redis is not reachable at {broker}")
    _use_broker(broker, monkeypatch)
    # Both queues: ingestion's default one and the lab's (see CELERY_TASK_ROUTES).
    worker = Worker(broker, tmp_path / "worker.log", queues="default,lab")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; a screenshot of it is kept in test-output/ after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    OUTPUT_DIR.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    tab.screenshot(path=OUTPUT_DIR / f"{name}.png", full_page=True)
    context.close()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
