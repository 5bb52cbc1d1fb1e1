"""Every write to the lab's records goes through here, so views, commands and tasks share it.

An experiment is worked through in slices of its planned runs; each slice is stored as soon as
it is trained, and a task that takes the experiment up again (after a lost worker) trains only
the planned runs that have no record yet.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.lab import analysis
from audit.lab.claims import claim_labels, claim_size_error, is_testable
from audit.lab.models import MAX_RUNS, MIN_RUNS, Claim, Experiment, Run
from audit.lab.plan import PlannedRun, planned_runs, retrain_runs
from audit.lab.reports import ReportError, build_report
from audit.lab.setups import UnknownSetup, get_setup
from audit.lab.setups.base import Setup
from audit.lab.space import SEED_LIMIT, InvalidConfig
from audit.lab.training import RunResult, pick_device, shape_groups, train_together
from audit.models import Sentence

logger = logging.getLogger(__name__)

Kind = Experiment.Kind
Status = Experiment.Status

# Progress, cancelling and resuming act between slices of runs; the larger a slice, the more runs
# share each step. On a GPU, 256 runs of a small MLP together ran 74x the sequential speed on
# an H100 (issue 7). On a 2-core CPU, digits-mlp ran 4.9x at 16 runs together and 7.4x at 64
# (`manage.py benchmark lab --device cpu`); there the engine also cuts groups whose weights
# outgrow the caches (`training.CPU_CHUNK_WEIGHTS`).
RUNS_PER_SLICE = {"cpu": 64, "cuda": 256}


class NotTestable(ValueError):
    """The sentence is not labelled as a claim the lab can test."""


class NoDevice(RuntimeError):
    """The experiment asks for a device this worker does not have."""


@dataclass
class FollowUp:
    """What may start once an experiment ends: experiments waiting for it, a claim's report."""

    experiments: list[int] = field(default_factory=list)
    claim: int | None = None


def create_experiment(
    setup_name: str,
    kind: str,
    n: int,
    seed: int,
    device: str = Experiment.Device.AUTO,
    *,
    claim: Claim | None = None,
    source: Experiment | None = None,
    retrain: int = 0,
    user=None,
) -> Experiment:
    """A pending experiment. Raises UnknownSetup, or InvalidConfig for an n, a seed or a
    `retrain` (a bootstrap_best's retraining seeds) out of range."""
    if not MIN_RUNS <= n <= MAX_RUNS:
        raise InvalidConfig(f"n must be from {MIN_RUNS} to {MAX_RUNS}; got {n}")
    if not 0 <= seed < SEED_LIMIT:
        raise InvalidConfig(f"the seed must be from 0 to {SEED_LIMIT - 1}; got {seed}")
    if retrain and kind != Kind.BOOTSTRAP_BEST:
        raise InvalidConfig("only a bootstrap_best retrains its best configuration")
    if retrain and not MIN_RUNS <= retrain <= MAX_RUNS:
        raise InvalidConfig(f"retrain must be 0 or from {MIN_RUNS} to {MAX_RUNS}; got {retrain}")
    setup = get_setup(setup_name)
    runs = planned_runs(setup, kind, n, seed, resamples_another=source is not None)
    return Experiment.objects.create(
        claim=claim,
        setup=setup.name,
        kind=kind,
        n=n,
        seed=seed,
        device=device,
        source=source,
        retrain=retrain,
        runs_planned=len(runs) + retrain,
        created_by=user,
    )


def create_claim(
    sentence: Sentence,
    *,
    setups: Sequence[str],
    claimed_score: float,
    seeds: Sequence[int],
    runs: int,
    device: str = Experiment.Device.AUTO,
    retrain: int = 0,
    user=None,
) -> Claim:
    """A claim with its experiments, per setup: the first claimed seed rerun, seed-only runs
    and a search drawn from it, and the best of that search resampled (its configuration
    retrained with `retrain` new seeds first, when asked)."""
    label = claim_labels([sentence], user)[sentence.pk]
    if not is_testable(label):
        raise NotTestable(f"This sentence is labelled {label or 'nothing'}, not a claim to test.")
    if too_big := claim_size_error(runs, len(setups), retrain):
        raise InvalidConfig(too_big)
    first_seed = seeds[0]
    with transaction.atomic():
        claim = Claim.objects.create(
            paper_id=sentence.paper_id,
            sentence=sentence,
            label=label,
            claimed_score=claimed_score,
            seeds=list(seeds),
            setup=setups[0],
            other_setup=setups[1] if len(setups) > 1 else "",
            runs=runs,
            created_by=user,
        )
        for name in claim.setups:
            options = {"claim": claim, "user": user}
            create_experiment(name, Kind.FIXED_SEED, runs, first_seed, device, **options)
            create_experiment(name, Kind.SEED_ONLY, runs, first_seed, device, **options)
            search = create_experiment(
                name, Kind.HYPERPARAMETER_SEARCH, runs, first_seed, device, **options
            )
            create_experiment(
                name,
                Kind.BOOTSTRAP_BEST,
                runs,
                first_seed,
                device,
                source=search,
                retrain=retrain,
                **options,
            )
    return claim


def cancel_claim(claim: Claim) -> None:
    """Stop the claim's experiments: waiting ones now, running ones after their current slice.
    Runs already finished are kept."""
    with transaction.atomic():
        unfinished = claim.experiments.filter(status__in=Experiment.UNFINISHED)
        unfinished.filter(status=Status.PENDING).update(
            status=Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
        )
        unfinished.filter(status=Status.RUNNING).update(cancel_requested=True)


def run_experiment(
    experiment_id: int, on_progress: Callable[[Experiment], None] | None = None
) -> FollowUp:
    """Train the experiment's missing runs, storing each slice, then summarize it.

    Safe to run twice or after a crash: the task that claims the experiment last owns it, and
    one whose claim was taken over stops after its current slice.
    """
    now = timezone.now()
    # Cancelled while no worker was on it (its worker was lost, say).
    Experiment.objects.filter(
        pk=experiment_id, status__in=Experiment.UNFINISHED, cancel_requested=True
    ).update(status=Status.CANCELLED, lease=None, finished_at=now)
    lease = uuid.uuid4()
    claimed = Experiment.objects.filter(
        Q(source__isnull=True) | Q(source__status=Status.DONE),
        pk=experiment_id,
        status__in=Experiment.UNFINISHED,
        cancel_requested=False,
    ).update(status=Status.RUNNING, lease=lease, started_at=Coalesce("started_at", now))
    if not claimed:
        return FollowUp()  # finished, cancelled, or waiting for the search it resamples
    experiment = Experiment.objects.select_related("source").get(pk=experiment_id)
    try:
        setup = get_setup(experiment.setup)
        where = _device(experiment.device)
        if not _train_missing(experiment, setup, where, lease, on_progress):
            return FollowUp()
        runs, retrained = _search_and_retrained(experiment)
        summary = analysis.summarize(experiment.kind, setup, runs, experiment.seed, retrained)
    except DatabaseError:
        raise  # the database went away: let the task be retried
    except (UnknownSetup, InvalidConfig, NoDevice) as error:
        return _fail(experiment_id, lease, str(error))
    except Exception as error:
        logger.exception("Lab experiment %s failed", experiment_id)
        return _fail(experiment_id, lease, f"Training failed ({type(error).__name__}: {error}).")
    return _finish(experiment_id, lease, summary)


def _device(requested: str) -> torch.device:
    try:
        return pick_device(None if requested == Experiment.Device.AUTO else requested)
    except RuntimeError as error:
        raise NoDevice(f"{error}: this worker cannot run it.") from error


def _train_missing(
    experiment: Experiment,
    setup: Setup,
    where: torch.device,
    lease: uuid.UUID,
    on_progress: Callable[[Experiment], None] | None,
) -> bool:
    """Train and store the planned runs without a record, then a bootstrap_best's retraining of
    the configuration best on dev (known once the search is); False when told to stop."""
    plan = planned_runs(
        setup, experiment.kind, experiment.n, experiment.seed, experiment.source_id is not None
    )
    if not _train_planned(experiment, setup, plan, where, lease, on_progress):
        return False
    if not experiment.retrain:
        return True
    search, _ = _search_and_retrained(experiment)
    best = analysis.best_on_dev(search)
    retraining = retrain_runs(best.config, len(plan), experiment.retrain, experiment.seed)
    return _train_planned(experiment, setup, retraining, where, lease, on_progress)


def _search_and_retrained(experiment: Experiment) -> tuple[list[Run], list[Run]]:
    """The runs a summary is made of: the experiment's (or its source's) search, and the runs
    a bootstrap_best retrained, planned after the search's."""
    own = list(experiment.runs.all())
    if experiment.source is not None:
        return list(experiment.source.runs.all()), own
    if not experiment.retrain:
        return own, []
    return own[: experiment.n], own[experiment.n :]


def _train_planned(
    experiment: Experiment,
    setup: Setup,
    plan: list[PlannedRun],
    where: torch.device,
    lease: uuid.UUID,
    on_progress: Callable[[Experiment], None] | None,
) -> bool:
    stored = set(experiment.runs.values_list("index", flat=True))
    missing = [run for run in plan if run.index not in stored]
    for planned in _slices(missing, experiment.kind, RUNS_PER_SLICE[where.type]):
        if not _go_on(experiment.pk, lease):
            return False
        results = train_together(
            setup,
            [run.config for run in planned],
            device=str(where),
            deterministic=planned[0].deterministic,
        )
        stored_now = _store(experiment.pk, lease, planned, results)
        if stored_now is None:
            return False
        if on_progress:
            on_progress(stored_now)
    return True


def _go_on(experiment_id: int, lease: uuid.UUID) -> bool:
    """Whether to train another slice: not when the experiment was cancelled (it is marked so
    now) or taken over by another task."""
    mine = Experiment.objects.filter(pk=experiment_id, lease=lease, status=Status.RUNNING)
    cancelled = mine.filter(cancel_requested=True).update(
        status=Status.CANCELLED, lease=None, finished_at=timezone.now()
    )
    return not cancelled and mine.exists()


def _slices(missing: list[PlannedRun], kind: str, size: int) -> list[list[PlannedRun]]:
    # A rerun of a fixed seed is trained alone, the ordinary way, as a reader would rerun it;
    # other runs are trained together with those of their shape.
    if kind == Kind.FIXED_SEED:
        return [[run] for run in missing]
    slices = []
    for group in shape_groups([run.config for run in missing]):
        members = [missing[i] for i in group]
        slices += [members[start : start + size] for start in range(0, len(members), size)]
    return slices


def _store(
    experiment_id: int, lease: uuid.UUID, planned: list[PlannedRun], results: list[RunResult]
) -> Experiment | None:
    """Store a trained slice; None when this task no longer owns the experiment."""
    with transaction.atomic():
        experiment = (
            Experiment.objects.select_for_update()
            .filter(pk=experiment_id, lease=lease, status=Status.RUNNING)
            .first()
        )
        if experiment is None:
            return None
        Run.objects.bulk_create(
            [
                _run(experiment_id, p.index, result)
                for p, result in zip(planned, results, strict=True)
            ]
        )
        experiment.runs_done = experiment.runs.count()
        experiment.save(update_fields=["runs_done"])
    return experiment


def _run(experiment_id: int, index: int, result: RunResult) -> Run:
    return Run(
        experiment_id=experiment_id,
        index=index,
        config=result.config,
        seed=result.seed,
        deterministic=result.deterministic,
        device=result.device,
        device_name=result.device_name[:200],
        torch_version=result.torch_version,
        cuda_version=result.cuda_version or "",
        cudnn_version=result.cudnn_version,
        trained_together=result.trained_together,
        dev_metric=result.dev_metric,
        test_metric=result.test_metric,
        test_predictions=list(result.test_predictions),
        test_gold=list(result.test_gold),
        weights_sha256=result.weights_sha256,
        seconds=result.seconds,
    )


def _finish(experiment_id: int, lease: uuid.UUID, summary: dict) -> FollowUp:
    claim_id = Experiment.objects.filter(pk=experiment_id).values_list("claim_id", flat=True)[0]
    with transaction.atomic():
        if claim_id is not None:
            # One at a time per claim, so that of two experiments finishing together the second
            # sees the first done, and the last one always starts the report.
            Claim.objects.select_for_update().get(pk=claim_id)
        experiment = (
            Experiment.objects.select_for_update()
            .filter(pk=experiment_id, lease=lease, status=Status.RUNNING)
            .first()
        )
        if experiment is None:
            return FollowUp()
        experiment.status = Status.DONE
        experiment.summary = summary
        experiment.runs_done = experiment.runs.count()
        experiment.lease = None
        experiment.finished_at = timezone.now()
        experiment.save(update_fields=["status", "summary", "runs_done", "lease", "finished_at"])
        waiting = list(
            experiment.dependents.filter(status=Status.PENDING).values_list("pk", flat=True)
        )
        claim_done = (
            claim_id is not None
            and not Experiment.objects.filter(claim_id=claim_id)
            .exclude(status=Status.DONE)
            .exists()
        )
    return FollowUp(waiting, claim_id if claim_done else None)


def _fail(experiment_id: int, lease: uuid.UUID, reason: str) -> FollowUp:
    with transaction.atomic():
        now = timezone.now()
        failed = Experiment.objects.filter(pk=experiment_id, lease=lease).update(
            status=Status.FAILED, error=reason, lease=None, finished_at=now
        )
        if failed:
            Experiment.objects.filter(
                source_id=experiment_id, status__in=Experiment.UNFINISHED
            ).update(
                status=Status.FAILED,
                error="The hyperparameter search whose best run it resamples failed.",
                finished_at=now,
            )
    return FollowUp()


def complete_claim(claim_id: int) -> None:
    """Build and keep the claim's report once all its experiments are done. Safe to run twice."""
    claim = Claim.objects.filter(pk=claim_id, report__isnull=True, error="").first()
    if claim is None or claim.experiments.exclude(status=Status.DONE).exists():
        return
    try:
        report = build_report(claim)
    except DatabaseError:
        raise
    except ReportError as error:
        Claim.objects.filter(pk=claim_id, report__isnull=True).update(error=str(error))
        return
    except Exception as error:
        logger.exception("The report of lab claim %s could not be built", claim_id)
        Claim.objects.filter(pk=claim_id, report__isnull=True).update(
            error=f"The report could not be built ({type(error).__name__}: {error})."
        )
        return
    Claim.objects.filter(pk=claim_id, report__isnull=True).update(
        report=report, verdict=report["verdict"]
    )


def unfinished_work() -> tuple[list[int], list[int]]:
    """What a worker that starts should take up: the experiments left pending or running (by a
    worker that was lost), and the claims whose experiments are all done but have no report."""
    experiments = Experiment.objects.filter(status__in=Experiment.UNFINISHED).order_by("pk")
    not_done = [status for status in Status.values if status != Status.DONE]
    claims = (
        Claim.objects.filter(report__isnull=True, error="")
        .exclude(experiments__status__in=not_done)
        .order_by("pk")
    )
    return list(experiments.values_list("pk", flat=True)), list(claims.values_list("pk", flat=True))
