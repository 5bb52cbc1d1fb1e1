"""`manage.py lab run SETUP ...`: run a lab experiment; `manage.py lab setups`: list the setups."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from audit.lab import actions
from audit.lab.models import Experiment
from audit.lab.plan import VARIED
from audit.lab.reports import bootstrap_scope
from audit.lab.setups import UnknownSetup, available_setups, get_setup
from audit.lab.space import InvalidConfig
from audit.lab.tasks import queue_experiment
from audit.management.progress import ProgressBar
from audit.workers import queue_workers

# With no worker at all, say so instead of waiting in silence.
WORKER_HINT_AFTER_S = 15


class Command(BaseCommand):
    help = "Run a lab experiment (on Celery's lab queue, or here with --sync); list the setups."

    def add_arguments(self, parser):
        actions_parser = parser.add_subparsers(dest="action", required=True)
        run = actions_parser.add_parser("run", help="run one experiment and print its runs")
        run.add_argument("setup", help="a setup name (see `manage.py lab setups`)")
        run.add_argument("--experiment", required=True, choices=Experiment.Kind.values)
        run.add_argument(
            "--n", type=int, required=True, help="runs (fixed_seed: reruns in each mode)"
        )
        run.add_argument(
            "--seed",
            type=int,
            help="fixed_seed: the seed rerun; otherwise the seed drawing seeds and configurations "
            "(default: the setup's default seed)",
        )
        run.add_argument(
            "--device", choices=["cpu", "cuda"], help="default: the worker's GPU if any"
        )
        run.add_argument(
            "--retrain",
            type=int,
            default=0,
            help="bootstrap_best: retrain the configuration best on dev with this many new "
            "seeds, so that its distribution includes training variance (default 0: the "
            "selected run alone, trained once)",
        )
        run.add_argument("--sync", action="store_true", help="train here, not on Celery")
        run.add_argument("--json", action="store_true", help="print one JSON object")
        run.add_argument(
            "--timeout", type=float, help="give up waiting for the workers after this many seconds"
        )
        actions_parser.add_parser("setups", help="list the setups, one a line, name first")

    def handle(self, *args, **options):
        if options["action"] == "setups":
            for name, setup in available_setups().items():
                self.stdout.write(f"{name}\t{setup.description}")
            return
        try:
            setup = get_setup(options["setup"])
            experiment = actions.create_experiment(
                setup.name,
                options["experiment"],
                options["n"],
                setup.default["seed"] if options["seed"] is None else options["seed"],
                options["device"] or Experiment.Device.AUTO,
                retrain=options["retrain"],
            )
        except (UnknownSetup, InvalidConfig) as error:
            raise CommandError(str(error)) from error
        bar = ProgressBar(experiment.runs_planned, f"lab {experiment.kind}", self.stderr._out)
        bar.update(0)
        if options["sync"]:
            actions.run_experiment(experiment.pk, on_progress=lambda e: bar.update(e.runs_done))
        else:
            queue_experiment(experiment.pk)
            self._wait_for_workers(experiment, bar, options["timeout"])
        bar.close()
        experiment.refresh_from_db()
        if experiment.status != Experiment.Status.DONE:
            reason = experiment.error or "it was cancelled"
            raise CommandError(f"Experiment {experiment.pk} {experiment.status}: {reason}")
        self._report(experiment, options["json"])

    def _wait_for_workers(self, experiment: Experiment, bar: ProgressBar, timeout) -> None:
        started = time.monotonic()
        hinted = False
        while True:
            experiment.refresh_from_db(fields=["status", "runs_done"])
            bar.update(experiment.runs_done)
            if experiment.finished:
                return
            waited = time.monotonic() - started
            waiting = experiment.status == Experiment.Status.PENDING
            if waiting and not hinted and waited > WORKER_HINT_AFTER_S:
                hinted = True
                found = queue_workers("lab")
                advice = found.advice("celery -A audit worker -Q lab --pool=solo")
                self.stderr.write(f"\n{advice}")
            if timeout is not None and waited > timeout:
                raise CommandError(
                    f"Gave up after {timeout:.0f} s: experiment {experiment.pk} is "
                    f"{experiment.status} ({experiment.runs_done} of {experiment.runs_planned} "
                    "runs); the workers carry on, and its runs are kept."
                )
            time.sleep(0.3)

    def _report(self, experiment: Experiment, as_json: bool) -> None:
        runs = list((experiment.source or experiment).runs.all())
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "experiment": experiment.kind,
                        "setup": experiment.setup,
                        "runs": [
                            {
                                "seed": run.seed,
                                "config": run.config,
                                "dev": run.dev_metric,
                                "test": run.test_metric,
                                "device": run.device,
                                "deterministic": run.deterministic,
                                "seconds": run.seconds,
                            }
                            for run in runs
                        ],
                        "summary": experiment.summary,
                    }
                )
            )
            return
        self.stdout.write(f"experiment {experiment.pk}: {experiment} on {experiment.setup}")
        varies_split = "split_seed" in VARIED.get(experiment.kind, [])
        for run in runs:
            mode = " deterministic" if run.deterministic else ""
            split = f"  split {run.config['split_seed']:>10}" if varies_split else ""
            self.stdout.write(
                f"{run.index:>4}  seed {run.seed:>10}{split}  dev {run.dev_metric:.4f}  test "
                f"{run.test_metric:.4f}  {run.device}{mode}  {run.seconds:.2f} s"
            )
        for line in summary_lines(experiment.kind, experiment.summary):
            self.stdout.write(line)


def summary_lines(kind: str, summary: dict) -> list[str]:
    if kind == Experiment.Kind.FIXED_SEED:
        lines = []
        for mode in summary["modes"]:
            switch = "with" if mode["deterministic"] else "without"
            outcome = (
                "bit-identical"
                if mode["bit_identical"]
                else f"{mode['distinct_models']} distinct models"
            )
            lines.append(
                f"seed {summary['seed']} {switch} deterministic algorithms: {mode['runs']} "
                f"reruns, {outcome}, test {mode['lowest']:.4f} to {mode['highest']:.4f}"
            )
        return lines
    best = summary["best"]
    best_line = (
        f"best on dev: run {best['index']} (seed {best['seed']}), dev {best['dev']:.4f}, "
        f"test {best['test']:.4f}"
    )
    if kind == Experiment.Kind.BOOTSTRAP_BEST:
        retrained = summary.get("retrained", [])
        lines = [best_line]
        if retrained:
            lines.append(
                f"its configuration retrained with {len(retrained)} new seeds: test "
                f"{min(retrained):.4f} to {max(retrained):.4f}"
            )
        each = ", each scoring one retrained model" if retrained else ""
        return [
            *lines,
            f"on {summary['samples']} bootstrap samples of the test set{each}: 95% of its "
            f"scores in [{summary['low']:.4f}, {summary['high']:.4f}]",
            bootstrap_scope(len(retrained)),
        ]
    ci = summary["ci"]
    return [
        f"test mean {summary['mean']:.4f} (95% CI [{ci['low']:.4f}, {ci['high']:.4f}]), "
        f"sd {summary['std']:.4f}, from {summary['lowest']:.4f} to {summary['highest']:.4f}",
        best_line,
    ]
