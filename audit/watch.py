"""What every worker does besides its tasks, once a heartbeat: check that it can reach the
database (and stop taking tasks while it cannot), and sweep up lost work (`audit.sweep`).

Registered as a step of the worker's consumer in `audit.celery`.
"""

from __future__ import annotations

import logging

from celery import bootsteps
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


class Watch(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, consumer, **kwargs):
        super().__init__(consumer, **kwargs)
        self.timer = None
        # The queues it stopped taking tasks from while the database was unreachable.
        self.paused: list[str] = []

    def start(self, consumer) -> None:
        from audit.heartbeat import interval

        self.timer = consumer.timer.call_repeatedly(interval(), self.tick, (consumer,))

    def stop(self, consumer) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def tick(self, consumer) -> None:
        # The timer runs in a thread of its own on some transports: consumer changes are
        # handed to the consumer's own loop with call_soon.
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            connection.close()
            if not self.paused:
                self.paused = [queue.name for queue in consumer.task_consumer.queues]
                for name in self.paused:
                    consumer.call_soon(consumer.cancel_task_queue, name)
                logger.error(
                    "The database is unreachable (%s): this worker takes no tasks until it is "
                    "back. Queued work waits in the broker.",
                    error,
                )
            return
        if self.paused:
            for name in self.paused:
                consumer.call_soon(consumer.add_task_queue, name)
            logger.warning("The database is reachable again: taking tasks from %s.", self.paused)
            self.paused = []
        self.sweep()

    def sweep(self) -> None:
        from audit.sweep import sweep

        try:
            swept = sweep()
        except DatabaseError as error:
            logger.warning("Sweep skipped: %s", error)
            connection.close()
            return
        if swept.papers or swept.experiments or swept.claims:
            logger.warning(
                "Queued again, lost by their worker: papers %s, experiments %s, claim reports %s.",
                swept.papers,
                swept.experiments,
                swept.claims,
            )
