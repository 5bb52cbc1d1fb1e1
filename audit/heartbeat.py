"""Heartbeats: how work in progress says it is alive, and how long a silence means it was lost.

A paper or lab experiment carries `heartbeat_at`: set when it is queued and, while a task works
on it, every `interval()` seconds from a thread of the task's own (so that a paper that takes
minutes in one call still beats). Unfinished work silent for `STALE_BEATS` beats was lost with
its worker or its message, and `audit.sweep` queues it again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

STALE_BEATS = 8


def interval() -> float:
    return settings.SEEDAUDIT_HEARTBEAT_SECONDS


def stale_seconds() -> float:
    return STALE_BEATS * interval()


def silent_since() -> datetime:
    """Unfinished work last heard of before this moment was lost."""
    return timezone.now() - timedelta(seconds=stale_seconds())


@contextmanager
def beating(rows: QuerySet) -> Iterator[None]:
    """Set the rows' `heartbeat_at` every `interval()` seconds while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval()):
                try:
                    rows.update(heartbeat_at=timezone.now())
                except DatabaseError as error:
                    # The task itself will meet the same error; the beat just tries again.
                    logger.warning("Heartbeat not recorded: %s", error)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
