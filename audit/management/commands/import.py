"""`manage.py import WHAT FILE ...`: read files made by `export` (or by hand) back in.

Each importer is a module exposing `add_arguments(parser)` and `run(options) -> str` (a summary
line for people); it raises CommandError for what the user can fix.
"""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand

IMPORTERS = {
    "annotations": "annotator.import_annotations",
}


class Command(BaseCommand):
    help = "Import data (annotations, ...) from files."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True)
        for name, module_path in IMPORTERS.items():
            module = import_module(module_path)
            sub = subparsers.add_parser(name, help=module.__doc__.strip().splitlines()[0])
            module.add_arguments(sub)

    def handle(self, *args, **options):
        self.stdout.write(import_module(IMPORTERS[options["what"]]).run(options))
