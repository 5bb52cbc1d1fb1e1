"""`manage.py evaluate detection GOLD.jsonl PDF_DIR`: how well seedaudit reads papers with gold."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.seeduse import evaluation, textcat, training
from audit.seeduse.model import shipped

LOPO = "leave-one-paper-out"
# The shipped linear model's learner, and spaCy's text classifier to measure against it.
LEARNERS = {
    "linear": training.fit,
    "textcat": textcat.fit,
    "textcat-ensemble": partial(textcat.fit, architecture="ensemble"),
}


class Command(BaseCommand):
    help = "Measure seed-sentence detection and suggestions against a gold file."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True)
        detection = subparsers.add_parser("detection", help=__doc__.split(": ", 1)[1])
        detection.add_argument("gold", type=Path, help="gold.jsonl (../shared/corpus format)")
        detection.add_argument("pdf_dir", type=Path, help="the folder of its PDFs")
        detection.add_argument("--json", action="store_true", help="print one JSON object")
        detection.add_argument("--verbose", action="store_true", help="list misses, false alarms")
        detection.add_argument(
            "--learner",
            choices=LEARNERS,
            default="linear",
            help="what learns from the shipped data (default: linear, the shipped model's)",
        )

    def handle(self, *args, **options):
        try:
            papers = evaluation.gold_papers(options["gold"], options["pdf_dir"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        learner = options["learner"]
        model = shipped()
        threshold = settings.SEEDAUDIT_SEED_THRESHOLD
        learned = set(model.about.get("paper_names", [])) & {p.file for p, _ in papers}
        if learned:
            # The model has seen these papers' gold: scoring them with it would measure memory.
            figures = evaluation.leave_one_paper_out(
                LEARNERS[learner], threshold, papers, training.shipped_examples()
            )
        elif learner == "linear":
            figures = evaluation.evaluate(model, threshold, papers)
        else:
            figures = evaluation.evaluate(
                LEARNERS[learner](training.shipped_examples()), threshold, papers
            )
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
        if learned:
            note = (
                f"each paper scored by a {learner} model trained without it (the shipped model "
                f"learned from {len(learned)} of these papers)"
            )
        elif learner == "linear":
            note = "the shipped model, which never saw these papers"
        else:
            note = f"a {learner} model trained on the shipped data, which never saw these papers"
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
