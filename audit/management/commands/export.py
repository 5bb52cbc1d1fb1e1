"""`manage.py export WHAT ...`: write what seedaudit holds to files other tools read.

Each exporter is a module exposing `add_arguments(parser)` and `run(options) -> str` (a summary
line for people); it raises CommandError for what the user can fix.
"""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand

EXPORTERS = {
    "annotations": "annotator.export_annotations",
    "checklist": "audit.reports.export_checklist",
    "spreadsheet": "audit.reports.export_spreadsheet",
}


class Command(BaseCommand):
    help = "Export seedaudit's data (annotations, checklists, spreadsheets) to files."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True)
        for name, module_path in EXPORTERS.items():
            module = import_module(module_path)
            sub = subparsers.add_parser(name, help=module.__doc__.strip().splitlines()[0])
            module.add_arguments(sub)

    def handle(self, *args, **options):
        self.stdout.write(import_module(EXPORTERS[options["what"]]).run(options))
