"""`manage.py train detector`: fit the seed-use model again."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.seeduse import evaluation, training
from audit.seeduse.model import SHIPPED_PATH


class Command(BaseCommand):
    help = "Train the seed-use model on the shipped data, gold files and a project's labels."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True)
        detector = subparsers.add_parser("detector", help=__doc__.split(": ", 1)[1])
        detector.add_argument(
            "--gold",
            nargs=2,
            action="append",
            default=[],
            metavar=("FILE", "PDF_DIR"),
            help="a gold.jsonl and the folder of its PDFs (repeatable); they replace shipped "
            "sentences of the same papers",
        )
        detector.add_argument("--project", help="also learn from this annotation project's labels")
        detector.add_argument(
            "--out", type=Path, default=SHIPPED_PATH, help=f"model file (default {SHIPPED_PATH})"
        )
        detector.add_argument(
            "--data-out",
            type=Path,
            help="also write the gold files' labelled sentences here (how the shipped data "
            "is made)",
        )
        detector.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        from_gold: list[training.Example] = []
        for gold_file, pdf_dir in options["gold"]:
            try:
                papers = evaluation.gold_papers(Path(gold_file), Path(pdf_dir))
            except (OSError, ValueError) as error:
                raise CommandError(str(error)) from error
            for paper, gold in papers:
                from_gold += evaluation.examples(paper, gold)
        replaced = {e.paper for e in from_gold}
        examples = [e for e in training.shipped_examples() if e.paper not in replaced]
        examples += from_gold
        # A project's labels cover only the sentences its annotators decided, not whole papers.
        whole_papers = {e.paper for e in examples} - {training.WRITTEN}
        if options["project"]:
            from annotator.learning import named_project, project_examples

            try:
                examples += project_examples(named_project(options["project"]))
            except ValueError as error:
                raise CommandError(str(error)) from error
        model = training.fit(examples, about=training.describe(examples), whole_papers=whole_papers)
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        options["out"].write_bytes(model.to_bytes())
        if options["data_out"]:
            training.write_examples(from_gold, options["data_out"])
        result = {"out": str(options["out"]), **model.about}
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"Trained on {result['sentences']} sentences ({result['seed_sentences']} about "
                f"seeds) of {result['papers']} papers; written to {result['out']}."
            )
