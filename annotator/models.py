"""Annotation projects over a corpus: who labels which highlighted sentence, and what they said.

Every write goes through `annotator.actions`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.models import Corpus, Paper, Sentence
from audit.taxonomy import Label

MAX_OVERLAP = 10


def _new_seed() -> int:
    return secrets.randbelow(2**31)


class Project(models.Model):
    class Order(models.TextChoices):
        PAPER = "paper", "Paper order"
        RANDOM = "random", "Random order"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    # Imports and exports that name no project use the corpus's default one: its first project.
    is_default = models.BooleanField(default=False)
    overlap = models.PositiveSmallIntegerField(
        default=2, help_text="How many annotators label each sentence."
    )
    order = models.CharField(max_length=10, choices=Order.choices, default=Order.PAPER)
    probe_share = models.FloatField(
        default=0.05,
        help_text="Share of each queue made of sentences the highlighter did not flag, to "
        "measure its recall.",
    )
    # Set on the first sync that sees flagged sentences and kept, so that later syncs draw new
    # papers' probes with the same per-sentence chances (see annotator.recall).
    probe_rate = models.FloatField(null=True, blank=True)
    # Drives the random order and the probe draws, so both are reproducible.
    seed = models.PositiveIntegerField(default=_new_seed)
    results_open = models.BooleanField(
        default=False,
        help_text="Annotators see the project's labels in reports (they do anyway once every "
        "item is decided).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus", "name"]
        constraints = [
            models.UniqueConstraint(fields=["corpus", "name"], name="one_project_name_per_corpus"),
            models.UniqueConstraint(
                fields=["corpus"], condition=Q(is_default=True), name="one_default_project"
            ),
            models.CheckConstraint(
                condition=Q(overlap__gte=1, overlap__lte=MAX_OVERLAP), name="overlap_in_range"
            ),
            models.CheckConstraint(
                condition=Q(probe_share__gte=0, probe_share__lte=0.5), name="probe_share_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.corpus})"


class Membership(models.Model):
    """One of a user's roles in a project. Managers are Django staff and need no membership.

    A person may hold several roles where blindness survives it (`audit.access.ROLE_SETS`):
    an annotator who also adjudicates never adjudicates, or sees the labels of, the items
    dealt to them."""

    class Role(models.TextChoices):
        ANNOTATOR = "annotator", "Annotator"
        ADJUDICATOR = "adjudicator", "Adjudicator"
        REVIEWER = "reviewer", "Reviewer (read-only)"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["project", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="each_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.project}"


class Item(models.Model):
    """A sentence to be labelled in a project: a highlighted one, or a recall probe."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    # RESTRICT: reprocessing a paper must not silently throw away people's labels.
    sentence = models.ForeignKey(Sentence, on_delete=models.RESTRICT, related_name="items")
    position = models.PositiveIntegerField(help_text="Where the item comes in every queue.")
    # A sentence the highlighter did not flag, mixed in to measure its recall; annotators are
    # never told which items these are.
    is_probe = models.BooleanField(default=False)
    inclusion_probability = models.FloatField(null=True, blank=True)
    final_label = models.CharField(max_length=30, choices=Label.choices, blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sentence"], name="one_item_per_sentence"),
            models.UniqueConstraint(fields=["project", "position"], name="one_item_per_position"),
            models.CheckConstraint(
                condition=Q(
                    is_probe=True, inclusion_probability__gt=0, inclusion_probability__lte=1
                )
                | Q(is_probe=False, inclusion_probability__isnull=True),
                name="probes_have_an_inclusion_probability",
            ),
            models.CheckConstraint(
                condition=Q(final_label="", adjudicated_at__isnull=True)
                | (~Q(final_label="") & Q(adjudicated_at__isnull=False)),
                name="final_label_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.sentence}"


class Assignment(models.Model):
    """One annotator's copy of an item: their label, note and place in their queue."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    # Copies of item.project, item.position and the item's paper, set once when the item is
    # dealt: the queue and a paper's progress then read this table's indexes instead of joining
    # items and sentences.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    paper = models.ForeignKey(Paper, on_delete=models.RESTRICT, related_name="+")
    slot = models.PositiveSmallIntegerField(help_text="Which of the item's overlap this is.")
    label = models.CharField(max_length=30, choices=Label.choices, blank=True)
    note = models.TextField(blank=True)
    skipped = models.BooleanField(default=False)
    labelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "annotator", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "annotator"], name="never_the_same_item_twice"),
            # Two dealers running at once cannot both fill the same place.
            models.UniqueConstraint(fields=["item", "slot"], name="one_annotator_per_slot"),
            models.CheckConstraint(
                condition=Q(label="", labelled_at__isnull=True)
                | (~Q(label="") & Q(labelled_at__isnull=False)),
                name="labelled_assignment_has_a_time",
            ),
            models.CheckConstraint(
                condition=Q(label="") | Q(skipped=False), name="labelled_assignment_not_skipped"
            ),
        ]
        indexes = [
            models.Index(
                fields=["project", "annotator", "skipped", "position"],
                condition=Q(label=""),
                name="annotator_queue",
            ),
            models.Index(fields=["project", "annotator", "labelled_at"], name="annotator_done"),
            models.Index(fields=["project", "annotator", "paper"], name="annotator_paper"),
            # A project's labels, without its places still to label.
            models.Index(fields=["project"], condition=~Q(label=""), name="project_labels"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} · {self.item_id} · {self.label or 'unlabelled'}"


class LabelEvent(models.Model):
    """What an annotator's browser sent, once per client-made id, so a retry does nothing."""

    class Action(models.TextChoices):
        LABEL = "label", "Label"
        UNDO = "undo", "Undo"
        SKIP = "skip", "Skip"

    client_id = models.UUIDField(unique=True)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=5, choices=Action.choices)
    label = models.CharField(max_length=30, choices=Label.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="label", label__in=Label.values)
                | (~Q(action="label") & Q(label="")),
                name="label_events_carry_a_label",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.label} · {self.assignment_id}"


class LabelTally(models.Model):
    """The labels a project's annotators have given, counted as they are given (a changed label
    counts again, one taken back is not taken off, imported ones are not given): after every
    label, retraining (annotator.learning) reads one row instead of counting the project's
    labels."""

    project = models.OneToOneField(
        Project, primary_key=True, on_delete=models.CASCADE, related_name="label_tally"
    )
    labels = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.project}: {self.labels} labels"


class PrimaryCategory(models.Model):
    """An annotator's confirmed main seed use of a paper; `not_seed_use` when it has none."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="primary_categories"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=30, choices=Label.choices)
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "primary categories"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "paper", "annotator"], name="one_primary_category_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.paper} · {self.annotator} · {self.label}"


class PaperDecision(models.Model):
    """An adjudicator's final primary category for a paper, settling the annotators' split."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="paper_decisions")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=30, choices=Label.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "paper"], name="one_decision_per_paper")
        ]

    def __str__(self) -> str:
        return f"{self.paper} · {self.label}"
