"""Annotations from a file made by `export annotations`, into a project, whole or not at all.

`manage.py import annotations FILE [--project NAME]`: without --project, into the default
project of the corpus holding the file's papers. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from annotator import actions, exchange


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a .jsonl or .csv annotations file")
    parser.add_argument("--project", help="project name (default: the corpus's default project)")


def run(options: dict) -> str:
    try:
        text = options["file"].read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{options['file']}: {error}") from error
    try:
        rows = exchange.read(text, exchange.sniff_format(text))
        # Atomic as a whole: a default project made for a file that then fails is not kept.
        with transaction.atomic():
            project = exchange.target_project(rows, options["project"])
            imported = actions.import_annotations(project, exchange.resolve(rows, project))
    except exchange.InvalidAnnotations as error:
        raise CommandError(f"{options['file']}: nothing was imported: {error}") from error
    return (
        f"Imported {len(rows)} rows into {project.name} ({project.corpus.name}): "
        f"{imported.labels_added} labels added, {imported.labels_changed} changed, "
        f"{imported.final_labels_set} final labels set."
    )
