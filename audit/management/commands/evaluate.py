"""`manage.py evaluate detection GOLD.jsonl PDF_DIR`: how well seedaudit reads papers with gold."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.seeduse import evaluation, training
from audit.seeduse.model import shipped

LOPO = "leave-one-paper-out"


class Command(BaseCommand):
    help = "Measure seed-sentence detection and suggestions against a gold file."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True)
        detection = subparsers.add_parser("detection", help=__doc__.split(": ", 1)[1])
        detection.add_argument("gold", type=Path, help="gold.jsonl (../shared/corpus format)")
        detection.add_argument("pdf_dir", type=Path, help="the folder of its PDFs")
        detection.add_argument("--json", action="store_true", help="print one JSON object")
        detection.add_argument("--verbose", action="store_true", help="list misses, false alarms")

    def handle(self, *args, **options):
        try:
            papers = evaluation.gold_papers(options["gold"], options["pdf_dir"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        model = shipped()
        threshold = settings.SEEDAUDIT_SEED_THRESHOLD
        learned = set(model.about.get("paper_names", [])) & {p.file for p, _ in papers}
        if learned:
            # The model has seen these papers' gold: scoring them with it would measure memory.
            figures = evaluation.leave_one_paper_out(
                training.fit, threshold, papers, training.shipped_examples()
            )
        else:
            figures = evaluation.evaluate(model, threshold, papers)
        method = LOPO if learned else "held-out"
        result = {"evaluation": method, "threshold": threshold, **figures.as_json()}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        if options["verbose"]:
            for line in figures.missed:
                self.stdout.write(f"missed       {line}")
            for line in figures.false_alarms:
                self.stdout.write(f"false alarm  {line}")
        note = (
            "each paper scored by a model trained without it (the shipped model learned from "
            f"{len(learned)} of these papers)"
            if learned
            else "the shipped model, which never saw these papers"
        )
        self.stdout.write(
            f"{figures.papers} papers, {figures.gold_explicit} explicit and "
            f"{figures.gold_implicit} implicit gold sentences, {figures.highlighted} highlighted; "
            f"{method}: {note}."
        )
        for name, value in (
            ("recall, explicit", figures.recall_explicit),
            ("recall, implicit", figures.recall_implicit),
            ("precision", figures.precision),
            ("suggestion accuracy", figures.suggestion_accuracy),
            ("paper-primary accuracy", figures.primary_accuracy),
        ):
            self.stdout.write(f"{name:23}{'–' if value is None else f'{value:.3f}'}")
