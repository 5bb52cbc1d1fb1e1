"""Annotations of a corpus, one row per highlighted sentence, as JSON lines or CSV.

`manage.py export annotations --corpus NAME [--project NAME] --format jsonl|csv --out PATH`
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError

from annotator import exchange
from annotator.models import Project
from audit.models import Corpus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, help="corpus name")
    parser.add_argument("--project", help="project name (default: the corpus's default project)")
    parser.add_argument("--format", choices=exchange.FORMATS, default="jsonl")
    parser.add_argument("--out", type=Path, required=True, help="file to write")


def run(options: dict) -> str:
    corpus = Corpus.objects.filter(name=options["corpus"]).first()
    if corpus is None:
        raise CommandError(f"There is no corpus named {options['corpus']!r}.")
    projects = corpus.projects.all()
    if options["project"]:
        project = projects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(f"Corpus {corpus.name} has no project named {options['project']!r}.")
    else:
        project: Project | None = projects.filter(is_default=True).first()
    rows = exchange.export_rows(corpus, project)
    with options["out"].open("w", encoding="utf-8", newline="") as out:
        exchange.write(rows, options["format"], out)
    labelled = sum(1 for row in rows if row["labels"])
    source = f"project {project.name}" if project else "no project yet"
    return f"Wrote {len(rows)} sentences ({labelled} labelled, {source}) to {options['out']}."
