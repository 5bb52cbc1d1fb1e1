"""Command-line options the report exporters share: the corpus, the project, the basis."""

from __future__ import annotations

import argparse

from django.core.management.base import CommandError

from audit.access import report_projects
from audit.models import Corpus
from audit.reports.basis import Basis, Selection


def add_counting_arguments(parser: argparse.ArgumentParser, default: Basis) -> None:
    parser.add_argument(
        "--project", help="annotation project whose labels count (default: the corpus's default)"
    )
    parser.add_argument(
        "--basis",
        choices=Basis.values,
        default=default.value,
        help=f"which label counts per paper (default: {default.value}); see audit.reports.basis",
    )


def corpus_named(name: str) -> Corpus:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus is None:
        raise CommandError(f"There is no corpus named {name!r}.")
    return corpus


def selection_from(options: dict, corpus: Corpus) -> Selection:
    projects = report_projects(corpus)
    if options["project"]:
        project = projects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(f"Corpus {corpus.name} has no project named {options['project']!r}.")
    else:
        project = projects.filter(is_default=True).first()
    return Selection(corpus, project, Basis(options["basis"]))
