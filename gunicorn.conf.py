"""gunicorn's settings for the web process: README's "Deploying" serves the app with them, and
`manage.py benchmark annotate` measures it with them. Flags on gunicorn's command line override
them."""

from __future__ import annotations

import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# One process per core. A request spends most of its time waiting for PostgreSQL (on the same
# cores in a small deployment), so each process serves several at once on threads.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
threads = 4
# As long as the proxy waits for an answer (proxy_read_timeout in README's nginx block).
timeout = 300


def post_fork(server, worker) -> None:
    # A thread whose query has answered waits for the thread running Python to let go of the
    # interpreter, by default for up to 5 ms: longer than serving a whole label takes.
    sys.setswitchinterval(0.001)
