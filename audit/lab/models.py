"""The lab's records: claims taken from papers, experiments run for them, one row per run.

Every write goes through `audit.lab.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.models import Paper, Sentence
from audit.taxonomy import Label

# Fewer runs than this leave no spread to look at, and the statistics need two values.
MIN_RUNS = 2
MAX_RUNS = 4096
# The risky uses of Bethard (2022) that a rerun can test: a result from one fixed seed, and
# a comparison of scores over seeds.
TESTABLE_LABELS = (Label.FIXED_SEED.value, Label.PERFORMANCE_COMPARISON.value)


class Claim(models.Model):
    """A paper's sentence about a seeded result, the score it claims and the setups to test it."""

    # Kept next to `sentence` so that deleting the paper deletes its claims: `sentence` is
    # RESTRICT, which alone would let reprocessing a paper throw the reports away.
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="lab_claims")
    sentence = models.ForeignKey(Sentence, on_delete=models.RESTRICT, related_name="lab_claims")
    label = models.CharField(
        max_length=30, choices=Label.choices, help_text="The sentence's label when tested."
    )
    claimed_score = models.FloatField(help_text="The score the paper reports, from 0 to 1.")
    seeds = models.JSONField(default=list, help_text="The seeds the paper names.")
    setup = models.CharField(max_length=100)
    other_setup = models.CharField(
        max_length=100, blank=True, help_text="A second setup, to compare with the first."
    )
    runs = models.PositiveIntegerField(help_text="Runs per experiment.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Built once every experiment is done (see `audit.lab.reports`); what the pages show.
    report = models.JSONField(null=True, blank=True)
    verdict = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(label__in=TESTABLE_LABELS),
                name="claims_are_fixed_seeds_or_comparisons",
            ),
            models.CheckConstraint(
                condition=Q(claimed_score__gte=0, claimed_score__lte=1),
                name="claimed_score_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=~Q(other_setup=F("setup")), name="claim_compares_two_different_setups"
            ),
            models.CheckConstraint(
                condition=Q(runs__gte=MIN_RUNS, runs__lte=MAX_RUNS), name="claim_runs_in_range"
            ),
            models.CheckConstraint(
                condition=Q(report__isnull=True) | ~Q(verdict=""), name="claim_report_has_verdict"
            ),
        ]
        indexes = [models.Index(fields=["paper", "created_at"])]

    def __str__(self) -> str:
        return f"claim {self.pk}: {self.claimed_score:g} on {' vs '.join(self.setups)}"

    @property
    def setups(self) -> list[str]:
        return [self.setup, self.other_setup] if self.other_setup else [self.setup]


class Experiment(models.Model):
    """Many training runs of one setup, a long job that Celery workers carry out run by run."""

    class Kind(models.TextChoices):
        FIXED_SEED = "fixed_seed", "Fixed seed, rerun"
        SEED_ONLY = "seed_only", "Seed only"
        SPLIT_ONLY = "split_only", "Split seed only"
        SEED_AND_SPLIT = "seed_and_split", "Seed and split seed"
        HYPERPARAMETER_SEARCH = "hyperparameter_search", "Hyperparameter search"
        BOOTSTRAP_BEST = "bootstrap_best", "Best model, bootstrapped"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Device(models.TextChoices):
        AUTO = "auto", "The worker's GPU if it has one"
        CPU = "cpu", "CPU"
        CUDA = "cuda", "CUDA GPU"

    UNFINISHED = (Status.PENDING, Status.RUNNING)

    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="experiments"
    )
    setup = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    n = models.PositiveIntegerField(help_text="Runs (fixed_seed: reruns in each mode).")
    seed = models.PositiveBigIntegerField(
        help_text="fixed_seed: the seed rerun; otherwise the seed that draws seeds and configs."
    )
    device = models.CharField(max_length=10, choices=Device.choices, default=Device.AUTO)
    retrain = models.PositiveIntegerField(
        default=0,
        help_text="bootstrap_best: new seeds the configuration best on dev is retrained with, so "
        "that its distribution includes training variance (0: the selected run alone).",
    )
    # A bootstrap_best of a claim resamples the best run of the claim's search instead of
    # training a search of its own.
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="dependents"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    runs_planned = models.PositiveIntegerField()
    runs_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Who works on it: each task that claims the experiment draws a new lease, and a task
    # whose lease was replaced (the experiment was requeued after a lost worker) stops.
    lease = models.UUIDField(null=True, blank=True)
    # When its task last reported (or it was queued): see audit.sweep.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "setup", "kind"],
                condition=Q(claim__isnull=False),
                name="one_experiment_per_kind_per_claim_setup",
            ),
            models.CheckConstraint(
                condition=Q(n__gte=MIN_RUNS, n__lte=MAX_RUNS), name="experiment_n_in_range"
            ),
            models.CheckConstraint(
                condition=Q(seed__lt=2**32), name="experiment_seed_fits_32_bits"
            ),
            models.CheckConstraint(
                condition=Q(runs_done__lte=F("runs_planned")), name="no_more_runs_than_planned"
            ),
            models.CheckConstraint(
                condition=Q(source__isnull=True)
                | Q(kind="bootstrap_best", runs_planned=F("retrain")),
                name="only_bootstrap_best_resamples_another_experiment",
            ),
            models.CheckConstraint(
                condition=Q(retrain=0)
                | Q(kind="bootstrap_best", retrain__gte=MIN_RUNS, retrain__lte=MAX_RUNS),
                name="only_bootstrap_best_retrains_with_two_seeds_or_more",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="failed_experiment_says_why"
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | (Q(summary__isnull=False) & Q(runs_done=F("runs_planned"))),
                name="done_experiment_has_all_runs_and_a_summary",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.setup} (n={self.n})"

    @property
    def progress(self) -> int:
        """Percent of the planned runs that are stored."""
        if not self.runs_planned:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.runs_done / self.runs_planned)

    @property
    def finished(self) -> bool:
        return self.status not in self.UNFINISHED

    @property
    def status_label(self) -> str:
        """The status as the page shows it: a running experiment asked to stop is cancelling."""
        if self.cancel_requested and not self.finished:
            return "Cancelling"
        return self.get_status_display()


class Run(models.Model):
    """One finished training run, stored as soon as it (or the group it trained in) ends."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="runs")
    index = models.PositiveIntegerField(help_text="Its place in the experiment's plan.")
    config = models.JSONField()
    seed = models.PositiveBigIntegerField()
    deterministic = models.BooleanField(help_text="torch.use_deterministic_algorithms was on.")
    device = models.CharField(max_length=10)
    device_name = models.CharField(max_length=200, blank=True)
    torch_version = models.CharField(max_length=50)
    cuda_version = models.CharField(max_length=20, blank=True)
    cudnn_version = models.PositiveIntegerField(null=True, blank=True)
    trained_together = models.PositiveIntegerField(help_text="Runs in its vmap group.")
    dev_metric = models.FloatField()
    test_metric = models.FloatField()
    test_predictions = models.JSONField(help_text="Predicted class per test example.")
    test_gold = models.JSONField(help_text="Gold class per test example.")
    weights_sha256 = models.CharField(max_length=64)
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["experiment_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "index"], name="one_run_per_plan_index"),
            models.CheckConstraint(
                condition=Q(trained_together__gte=1), name="run_trained_in_a_group_of_one_or_more"
            ),
            models.CheckConstraint(condition=Q(seconds__gte=0), name="run_seconds_not_negative"),
        ]

    def __str__(self) -> str:
        return f"run {self.index} of experiment {self.experiment_id}: {self.test_metric:.4f}"
