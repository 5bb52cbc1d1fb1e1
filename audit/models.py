from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.seeduse.features import is_implicit
from audit.taxonomy import Label


class Corpus(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Readers: they see the corpus and its reports; only the owner and managers change it.
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="corpora")
    bibtex = models.TextField(
        blank=True, help_text="BibTeX whose entries give papers their metadata, matched by title."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "corpora"

    def __str__(self) -> str:
        return self.name


class Paper(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Metadata fields a person (or a BibTeX file) may set; reprocessing keeps what they set.
    EDITABLE_METADATA = ("title", "authors", "year", "venue", "anthology_id")

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="papers")
    file = models.FileField(upload_to="papers/", blank=True)
    original_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # When the paper was last queued, or last heard of from the worker processing it: an
    # unfinished paper not heard of for a while was lost, and is queued again (audit.sweep).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Workers that took it up; one that kills every worker (out of memory, say) fails after a few.
    attempts = models.PositiveSmallIntegerField(default=0)

    title = models.CharField(max_length=1000, blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    venue = models.CharField(max_length=500, blank=True)
    anthology_id = models.CharField(max_length=100, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # The seed-use model's guess at the paper's main seed use; blank when it sees none.
    suggested_primary = models.CharField(max_length=30, choices=Label.choices, blank=True)
    # The model's estimate of the share of the paper's sentences that are about seeds, and the
    # share usual in a paper it has not seen; its scores are raised where the first is larger.
    seed_share = models.FloatField(null=True, blank=True)
    usual_seed_share = models.FloatField(null=True, blank=True)
    user_set_fields = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["corpus", "original_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "sha256"],
                condition=~Q(sha256=""),
                name="one_paper_per_content_per_corpus",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="paper_progress_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="failed_paper_says_why"
            ),
            models.CheckConstraint(
                condition=~Q(sha256="") | Q(status="failed"),
                name="paper_without_content_has_failed",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(pages__isnull=False), name="done_paper_has_pages"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="paper_year_is_plausible",
            ),
            models.CheckConstraint(
                condition=Q(seed_share__isnull=True, usual_seed_share__isnull=True)
                | Q(
                    seed_share__gte=0,
                    seed_share__lte=1,
                    usual_seed_share__gt=0,
                    usual_seed_share__lt=1,
                ),
                name="paper_seed_shares_are_shares",
            ),
        ]
        indexes = [
            models.Index(fields=["corpus", "status"]),
            models.Index(fields=["corpus", "year"]),
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["pending", "processing"]),
                name="unfinished_papers",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.file_name

    @property
    def raised_by_seed_talk(self) -> bool:
        """The paper talks of seeds more than usual, so its sentences' scores were raised."""
        return self.seed_share is not None and self.seed_share > self.usual_seed_share

    @property
    def file_name(self) -> str:
        return self.original_name.rsplit("/", 1)[-1]


class Sentence(models.Model):
    class Kind(models.TextChoices):
        BODY = "body", "Body text"
        CAPTION = "caption", "Caption"
        FOOTNOTE = "footnote", "Footnote"
        REFERENCE = "reference", "Reference list"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveIntegerField(help_text="Position of the sentence in reading order.")
    paragraph = models.PositiveIntegerField(help_text="Sentences of one paragraph share it.")
    page = models.PositiveIntegerField()
    page_end = models.PositiveIntegerField(null=True, blank=True)
    section = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BODY)
    text = models.TextField()
    is_seed = models.BooleanField(default=False)
    terms = models.JSONField(default=list, blank=True)
    spans = models.JSONField(default=list, blank=True, help_text="[start, end) of each term.")
    suggested_label = models.CharField(max_length=30, choices=Label.choices, blank=True)
    suggested_confidence = models.FloatField(null=True, blank=True)
    seed_score = models.FloatField(
        default=0.0, help_text="The seed-use model's probability that this is a seed sentence."
    )
    drivers = models.JSONField(
        default=list, blank=True, help_text="The words that raised the model's score most."
    )

    class Meta:
        ordering = ["paper", "index"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "index"], name="one_sentence_per_position"),
            models.CheckConstraint(
                condition=Q(is_seed=True) | Q(suggested_label=""),
                name="only_seed_sentences_get_suggestions",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reference") | Q(is_seed=False),
                name="references_are_never_seed_sentences",
            ),
            models.CheckConstraint(
                condition=Q(seed_score__gte=0, seed_score__lte=1),
                name="seed_score_is_a_probability",
            ),
        ]
        indexes = [models.Index(fields=["paper", "is_seed"])]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def implicit(self) -> bool:
        return is_implicit(self.text)

    @property
    def why(self) -> str:
        """Why the sentence is highlighted: the words a pattern matched, else the model's score
        and the words that drove it."""
        if self.terms:
            return "matched " + ", ".join(f"“{term}”" for term in self.terms)
        words = ", ".join(f"“{word}”" for word in self.drivers)
        return f"model score {self.seed_score:.2f}" + (f" from {words}" if words else "")


class SeedModel(models.Model):
    """A version of the seed-use model retrained on a project's final labels, with its figures.

    The corpus's default version (at most one) scores its papers; with none, the shipped model
    does.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Training"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="seed_models")
    project = models.ForeignKey(
        "annotator.Project", null=True, on_delete=models.SET_NULL, related_name="seed_models"
    )
    labels = models.PositiveIntegerField(help_text="How many final labels it learned from.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    weights = models.BinaryField(blank=True, default=b"")
    figures = models.JSONField(default=dict, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["corpus", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus"], condition=Q(is_default=True), name="one_default_seed_model"
            ),
            # Two workers reaching the same label count train it once.
            models.UniqueConstraint(fields=["project", "labels"], name="one_version_per_count"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="failed_seed_model_says_why"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(status="done"),
                name="only_a_trained_seed_model_is_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corpus} · model of {self.created_at:%Y-%m-%d %H:%M}"


# The lab's models live with the lab; importing them here is how Django finds them.
from audit.lab.models import Claim, Experiment, Run  # noqa: E402, F401


class RateCount(models.Model):
    """Requests of one client (or failed logins for one account) in one fixed time window: in
    the database, so that every web worker process counts against the same limit."""

    key = models.CharField(max_length=200)
    window = models.DateTimeField(help_text="When the window began.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="one_rate_count_per_window")
        ]
        indexes = [models.Index(fields=["window"])]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} since {self.window:%Y-%m-%d %H:%M:%S}"
