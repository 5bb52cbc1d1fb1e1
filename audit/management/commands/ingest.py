"""`manage.py ingest PATH...`: add papers to a corpus from PDFs, folders and zip archives."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils import timezone

from audit import actions, heartbeat
from audit.ingest.sources import from_paths
from audit.lab.models import Experiment
from audit.management.progress import ProgressBar
from audit.models import Corpus, Paper, Sentence
from audit.tasks import queue_paper
from audit.workers import queue_workers

# With no worker at all, say so instead of waiting in silence.
WORKER_HINT_AFTER_S = 15


class Command(BaseCommand):
    help = "Ingest PDFs (files, folders, .zip archives) into a corpus and find seed sentences."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--corpus", default="default", help="corpus name (created if new)")
        parser.add_argument("--sync", action="store_true", help="process here, not on Celery")
        parser.add_argument("--json", action="store_true", help="one JSON object per paper")
        parser.add_argument("--bib", type=Path, help="BibTeX file with the papers' metadata")
        parser.add_argument(
            "--no-wait", action="store_true", help="queue the papers and return at once"
        )
        parser.add_argument(
            "--timeout", type=float, help="give up waiting for the workers after this many seconds"
        )

    def handle(self, *args, **options):
        try:
            self._ingest(options)
        except actions.CONNECTION_ERRORS as error:
            raise CommandError(
                f"Cannot use the database ({str(error).strip().splitlines()[0]}). Start it (a "
                "new one needs `manage.py migrate`), or point DATABASE_URL at it, and run the "
                "command again: papers already added are kept and finished then."
            ) from error

    def _ingest(self, options) -> None:
        corpus, _ = Corpus.objects.get_or_create(name=options["corpus"])
        if options["bib"]:
            try:
                actions.add_bibliography(corpus, options["bib"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"{options['bib']}: {error}") from error
        limits = actions.upload_limits()
        results: list[tuple[str, actions.Added]] = [
            (source.name, actions.add_source(corpus, source))
            for source in from_paths(options["paths"], limits)
        ]
        if not results:
            raise CommandError("No PDF or zip files found in the given paths.")
        # A paper already here but never finished (an earlier run was cut short) is this
        # run's work as much as a new one.
        todo = list(
            dict.fromkeys(a.paper.pk for _, a in results if a.paper.status in actions.UNFINISHED)
        )
        if options["sync"]:
            self._process_here(todo)
        else:
            for paper_id in todo:
                queue_paper(paper_id)
            if options["no_wait"]:
                self.stderr.write(f"Queued {len(todo)} papers on Celery.")
                return
            self._wait_for_workers(todo, options["timeout"])
        seeds = Sentence.objects.filter(is_seed=True).order_by("index")
        papers = Paper.objects.prefetch_related(
            Prefetch("sentences", queryset=seeds, to_attr="seed_rows")
        ).in_bulk([a.paper.pk for _, a in results])
        reported: set[int] = set()
        for name, added in results:
            pk = added.paper.pk
            new = added.created or (pk in todo and pk not in reported)
            reported.add(pk)
            self._report(name, papers[pk], new, options["json"])

    def _process_here(self, todo: list[int]) -> None:
        bar = ProgressBar(len(todo), "ingest", self.stderr._out)
        for done, paper_id in enumerate(todo):
            bar.update(done, Paper.objects.get(pk=paper_id).original_name[-60:])
            # Heard of, so that the workers' sweep leaves them to this command.
            Paper.objects.filter(pk__in=todo[done:], status__in=actions.UNFINISHED).update(
                heartbeat_at=timezone.now()
            )
            actions.process_paper(paper_id)
        bar.update(len(todo))
        bar.close()

    def _wait_for_workers(self, todo: list[int], timeout: float | None) -> None:
        bar = ProgressBar(len(todo), "ingest", self.stderr._out)
        started = last_change = time.monotonic()
        hinted = False
        seen = None
        while True:
            rows = list(Paper.objects.filter(pk__in=todo).values_list("status", "progress"))
            unfinished = [p for s, p in rows if s in actions.UNFINISHED]
            bar.update(len(rows) - len(unfinished) + sum(unfinished) / 100)
            if not unfinished:
                break
            if rows != seen:
                seen, last_change = rows, time.monotonic()
            working = any(s == Paper.Status.PROCESSING for s, _ in rows)
            if not hinted and not working and time.monotonic() - started > WORKER_HINT_AFTER_S:
                hinted = True
                found = queue_workers("default")
                advice = found.advice("celery -A audit worker -Q default")
                self.stderr.write(f"\n{advice}")
            idle = time.monotonic() - last_change
            if idle > heartbeat.stale_seconds() and not _workers_heard_of():
                found = queue_workers("default")
                if not found.workers:
                    bar.close()
                    raise CommandError(
                        f"Nothing has worked on the papers for {idle:.0f} s. "
                        f"{found.advice('celery -A audit worker -Q default')} Papers still "
                        f"queued: {len(unfinished)}; they are kept for a worker that starts."
                    )
            if timeout is not None and time.monotonic() - started > timeout:
                bar.close()
                raise CommandError(
                    f"Gave up after {timeout:.0f} s: "
                    + ("1 paper is" if len(unfinished) == 1 else f"{len(unfinished)} papers are")
                    + " still queued or being processed; their status is kept, so look again later."
                )
            time.sleep(0.3)
        bar.close()

    def _report(self, name: str, paper: Paper, created: bool, as_json: bool) -> None:
        status = paper.status if created else "duplicate"
        seeds = paper.seed_rows
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "file": name,
                        "sha256": paper.sha256,
                        "status": status,
                        "error": paper.error,
                        "title": paper.title,
                        "year": paper.year,
                        "pages": paper.pages,
                        "seed_sentences": [
                            {
                                "text": s.text,
                                "page": s.page,
                                "section": s.section,
                                "terms": s.terms,
                                "suggested": s.suggested_label,
                                "score": s.seed_score,
                                "implicit": s.implicit,
                            }
                            for s in seeds
                        ],
                        "suggested_primary": paper.suggested_primary or None,
                        "seed_share": paper.seed_share,
                    },
                    ensure_ascii=False,
                )
            )
        elif paper.status == Paper.Status.FAILED:
            self.stdout.write(f"{status:9} {name}: {paper.error}")
        else:
            self.stdout.write(
                f"{status:9} {name}: {paper.pages} pages, {len(seeds)} seed sentences"
                f" — {paper.title or 'untitled'}"
            )


def _workers_heard_of() -> bool:
    """Whether a worker reported on a paper or an experiment lately (it may be busy with
    others' work before it reaches ours)."""
    recent = {"heartbeat_at__gte": heartbeat.silent_since()}
    return (
        Paper.objects.filter(status=Paper.Status.PROCESSING, **recent).exists()
        or Experiment.objects.filter(status=Experiment.Status.RUNNING, **recent).exists()
    )
