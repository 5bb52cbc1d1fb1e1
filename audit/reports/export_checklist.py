"""Reviewer checklists: one paper's, or a corpus's (a file per paper, in a folder or a .zip).

`manage.py export checklist --paper ID|--corpus NAME --format md|json|pdf|html --out PATH
[--project NAME] [--basis primary|final|suggested] [--site URL]`
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError

from audit.models import Paper
from audit.reports import checklist_files
from audit.reports.basis import Basis
from audit.reports.checklist import build_checklist
from audit.reports.options import add_counting_arguments, corpus_named, selection_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--paper", type=int, help="paper id (as in its page's address)")
    which.add_argument("--corpus", help="corpus name: a checklist per processed paper")
    parser.add_argument("--format", choices=checklist_files.FORMATS, required=True)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="file for a paper; for a corpus, a folder, or a .zip file to hold the files",
    )
    add_counting_arguments(parser, Basis.SUGGESTED)
    parser.add_argument(
        "--site", default="", help="the site's address, e.g. https://seedaudit.example.org, "
        "to make the links in the files absolute",
    )  # fmt: skip


def run(options: dict) -> str:
    fmt, out, site = options["format"], options["out"], options["site"]
    if options["paper"] is not None:
        paper = Paper.objects.filter(pk=options["paper"], status=Paper.Status.DONE).first()
        if paper is None:
            raise CommandError(f"There is no processed paper with id {options['paper']}.")
        selection = selection_from(options, paper.corpus)
        checklist = build_checklist(paper, selection.project, selection.basis)
        if out.is_dir():
            out = out / checklist_files.file_name(paper, fmt)
        out.write_bytes(checklist_files.render(checklist, fmt, site))
        return f"Wrote the checklist of paper {paper.pk} to {out} ({selection.counting})."
    selection = selection_from(options, corpus_named(options["corpus"]))
    files = list(checklist_files.corpus_checklists(selection, fmt, site))
    if out.suffix == ".zip":
        out.write_bytes(checklist_files.zip_of(files))
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files:
            (out / name).write_bytes(content)
    return f"Wrote {len(files)} checklists to {out} ({selection.counting})."
