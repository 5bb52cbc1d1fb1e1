"""Who is there to do queued work: Celery workers asked over the broker (remote control), and
the work in progress the database records.

A command that waits for workers tells "no worker consumes this queue" (start one) from "the
workers are busy" (the work waits its turn), instead of guessing from silence. A worker with the
solo pool answers only between tasks, so while one trains an experiment, the database's record
of running work is what says it is busy.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.celery import app
from audit.lab.models import Experiment
from audit.models import Paper


@dataclass(frozen=True)
class QueueWorkers:
    queue: str
    workers: list[str]  # the workers that consume the queue and answered
    busy_with: list[str]  # the tasks those workers run now
    in_progress: list[str]  # work the database records as running, for people

    def advice(self, start_command: str) -> str:
        """Why queued work has not started, and what to do about it, for people."""
        if self.workers and self.busy_with:
            n = len(self.busy_with)
            return (
                f"The `{self.queue}` workers ({', '.join(self.workers)}) are busy with {n} "
                f"task{'s' if n != 1 else ''} ({', '.join(sorted(set(self.busy_with)))}); this "
                f"work waits its turn. A worker of its own for the queue (`{start_command}`) "
                "keeps it flowing."
            )
        if self.workers:
            return f"The `{self.queue}` workers ({', '.join(self.workers)}) are up; it starts soon."
        if self.in_progress:
            return (
                f"The workers are busy ({'; '.join(self.in_progress)}): a worker answers only "
                f"between tasks, and none free consumes the `{self.queue}` queue. This work waits "
                f"its turn; a worker of its own for the queue (`{start_command}`) keeps it flowing."
            )
        return (
            f"No Celery worker is running for the `{self.queue}` queue: start one with "
            f"`{start_command}`, or use --sync."
        )


def queue_workers(queue: str, timeout: float = 1.0) -> QueueWorkers:
    """The workers that answer within `timeout` seconds and consume `queue`, what they run, and
    the work in progress."""
    inspect = app.control.inspect(timeout=timeout)
    consuming = sorted(
        name
        for name, queues in (inspect.active_queues() or {}).items()
        if any(q.get("name") == queue for q in queues)
    )
    busy = []
    if consuming:
        active = app.control.inspect(destination=consuming, timeout=timeout).active() or {}
        busy = [task.get("name", "?") for name in consuming for task in active.get(name, [])]
    return QueueWorkers(queue, consuming, busy, _in_progress())


def _in_progress() -> list[str]:
    running = Experiment.objects.filter(status=Experiment.Status.RUNNING)
    processing = Paper.objects.filter(status=Paper.Status.PROCESSING)
    return [
        *(
            f"experiment {e.pk}: {e.kind} on {e.setup}, {e.runs_done} of {e.runs_planned} runs"
            for e in running.order_by("pk")[:3]
        ),
        *(f"paper {p.file_name}" for p in processing.order_by("pk")[:3]),
    ]
