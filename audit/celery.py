"""The Celery app: `celery -A audit worker` finds it here."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

from audit.watch import Watch

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.settings")

app = Celery("audit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The lab is a package of the audit app, not an app of its own: name it for its tasks module.
app.autodiscover_tasks(["audit.lab"])
app.steps["consumer"].add(Watch)


@app.on_after_configure.connect
def make_broker_folders(sender: Celery, **kwargs) -> None:
    # kombu's filesystem transport expects its folders to exist.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


def database_url() -> str:
    """The URL of the database this process uses, for a worker process to use the same one."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else (f"{user}@" if user else "")
    return (
        f"postgresql://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
