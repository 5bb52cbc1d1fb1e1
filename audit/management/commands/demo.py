"""`manage.py demo`: set up a database with demo papers, then run the web app and a worker."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from annotator.actions import create_project
from annotator.models import Membership
from audit import actions
from audit.ingest.sources import from_paths
from audit.lab.tasks import lab_worker_pool
from audit.models import Corpus

DEMO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
DEMO_CORPUS = "Demo papers"
# One worker per queue, so that papers keep flowing while an experiment trains.
WORKER_QUEUES = ("default", "lab")


class Command(BaseCommand):
    help = "Load the demo papers and run the web app with a Celery worker (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="where the web app listens")
        parser.add_argument("--no-serve", action="store_true", help="only load the demo data")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["no_serve"]:
            raise CommandError(
                "The demo runs Django's development server, which is for DEBUG=1 only: "
                "run `make demo`, or `DEBUG=1 python manage.py demo`."
            )
        call_command("migrate", verbosity=0)
        user = self._demo_login()
        corpus = self._demo_corpus()
        self._demo_project(corpus, user)
        if options["no_serve"]:
            return
        command = [sys.executable, "-m", "celery", "-A", "audit", "worker"]
        pools = {"default": ["--pool=solo"], "lab": lab_worker_pool()}
        workers = [
            subprocess.Popen(
                [*command, *pools[queue], "-Q", queue, "-n", f"{queue}@%h", "-l", "warning"],
                cwd=settings.BASE_DIR,
            )
            for queue in WORKER_QUEUES
        ]
        for queue, worker in zip(WORKER_QUEUES, workers, strict=True):
            self.stdout.write(f"Celery worker for the {queue} queue started (pid {worker.pid}).")
        self.stdout.write(f"Broker: {settings.CELERY_BROKER_URL}")
        # Stopping the demo (Ctrl-C or a plain kill) stops its workers too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)

    def _demo_login(self):
        users = get_user_model().objects
        existing = users.filter(username="demo").first()
        if existing:
            self.stdout.write(
                "Log in as 'demo' (its password was printed when it was created; "
                "reset it with `python manage.py changepassword demo`)."
            )
            return existing
        password = secrets.token_urlsafe(9)
        user = users.create_superuser("demo", password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo login: user 'demo', password '{password}'"))
        self.stdout.write("(shown once: write it down)")
        return user

    def _demo_project(self, corpus: Corpus, user) -> None:
        """An annotation project over the demo papers, with the demo user as its annotator."""
        if corpus.projects.exists():
            return
        create_project(
            corpus,
            "Demo labels",
            overlap=1,
            created_by=user,
            members=[(user, Membership.Role.ANNOTATOR)],
        )
        self.stdout.write("Annotation project 'Demo labels': open Annotate to label sentences.")

    def _demo_corpus(self) -> Corpus:
        corpus, _ = Corpus.objects.get_or_create(
            name=DEMO_CORPUS,
            defaults={"description": "Five CC BY papers from the ACL Anthology (see README)."},
        )
        limits = actions.upload_limits()
        for source in from_paths([DEMO_DIR], limits):
            added = actions.add_source(corpus, source)
            if added.created:
                actions.process_paper(added.paper.pk)
                self.stdout.write(f"  ingested {Path(source.name).name}")
        papers = corpus.papers.count()
        seeds = corpus.papers.filter(sentences__is_seed=True).count()
        self.stdout.write(f"Corpus '{DEMO_CORPUS}': {papers} papers, {seeds} seed sentences.")
        return corpus
