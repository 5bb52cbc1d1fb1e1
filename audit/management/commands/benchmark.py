"""`manage.py benchmark NAME ...`: side-by-side performance measurements.

Each benchmark is a module exposing `add_arguments(parser)`, `run(options) -> dict` (the figures,
also what `--json` prints) and `render(result) -> str` (the same figures for people).
"""

from __future__ import annotations

import json
from importlib import import_module

from django.core.management.base import BaseCommand

BENCHMARKS = {
    "ingest": "audit.benchmarks.ingest",
    "stats": "audit.benchmarks.stats",
    "lab": "audit.benchmarks.lab",
    "claim": "audit.benchmarks.claim",
    "calibration": "audit.benchmarks.calibration",
    "annotate": "annotator.benchmark",
}


class Command(BaseCommand):
    help = "Measure seedaudit against its baselines, side by side in one run."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="benchmark", required=True)
        for name, module_path in BENCHMARKS.items():
            module = import_module(module_path)
            sub = subparsers.add_parser(name, help=module.__doc__.strip().splitlines()[0])
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            module.add_arguments(sub)

    def handle(self, *args, **options):
        module = import_module(BENCHMARKS[options["benchmark"]])
        result = module.run(options)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(module.render(result))
