"""Every write to annotation projects goes through here: views, commands, benchmark alike."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from annotator import assignment, learning, recall, tasks
from annotator.labels import final_label
from annotator.models import (
    Assignment,
    Item,
    LabelEvent,
    Membership,
    PaperDecision,
    PrimaryCategory,
    Project,
)
from audit.models import Corpus, Paper, Sentence
from audit.text import clean_text

Role = Membership.Role


def create_project(
    corpus: Corpus,
    name: str,
    *,
    overlap: int = 2,
    order: str = Project.Order.PAPER,
    probe_share: float = 0.05,
    created_by: AbstractBaseUser | None = None,
    members: Iterable[tuple[AbstractBaseUser, str]] = (),
    seed: int | None = None,
) -> Project:
    """A project over `corpus` with its members (user, role pairs), its items, and their work
    dealt out.

    `seed` fixes the random order and the probe draws (a random one by default).
    """
    with transaction.atomic():
        project = Project.objects.create(
            **({"seed": seed} if seed is not None else {}),
            corpus=corpus,
            name=name,
            overlap=overlap,
            order=order,
            probe_share=probe_share,
            created_by=created_by,
            is_default=not corpus.projects.filter(is_default=True).exists(),
        )
        Membership.objects.bulk_create(
            Membership(project=project, user=user, role=role) for user, role in members
        )
        sync_items(project)
    project.refresh_from_db()
    return project


def default_project(corpus: Corpus) -> Project:
    """The corpus's default project, made (with nobody in it yet) the first time it is needed."""
    project = corpus.projects.filter(is_default=True).first()
    return project or create_project(corpus, "default")


def set_roles(project: Project, user: AbstractBaseUser, roles: Iterable[str]) -> None:
    """Give `user` exactly these roles in `project` (none: take them out); their open work is
    dealt again. The caller checks the set with `audit.access.role_set_error`."""
    roles = set(roles)
    with transaction.atomic():
        _lock(project)
        Membership.objects.filter(project=project, user=user).exclude(role__in=roles).delete()
        for role in roles:
            Membership.objects.get_or_create(project=project, user=user, role=role)
        if Role.ANNOTATOR not in roles:
            # What they labelled stays; what they had not reached goes to the others.
            Assignment.objects.filter(project=project, annotator=user, label="").delete()
        deal(project)


def open_results(project: Project, opened: bool) -> None:
    """Let the project's annotators see its labels in reports before every item is decided."""
    project.results_open = opened
    project.save(update_fields=["results_open"])


def set_overlap(project: Project, overlap: int) -> None:
    """A higher overlap deals more places at once; a lower one takes back unlabelled ones."""
    with transaction.atomic():
        _lock(project)
        project.overlap = overlap
        project.save(update_fields=["overlap"])
        Assignment.objects.filter(project=project, label="", slot__gte=overlap).delete()
        deal(project)


def sync_items(project: Project) -> int:
    """Add the highlighted sentences of newly processed papers, and their probes; deal them.

    Safe to run any time and twice: sentences already in the project are left alone, and a
    sentence's probe draw is fixed (see annotator.recall). Returns how many items were added.
    """
    with transaction.atomic():
        project = _lock(project)
        fresh = Sentence.objects.filter(
            paper__corpus=project.corpus_id, paper__status=Paper.Status.DONE
        ).exclude(items__project=project)
        flagged = list(fresh.filter(is_seed=True).values_list("pk", "paper_id", "index"))
        probes = _draw_probes(project, fresh, len(flagged))
        new = [(pk, paper, index, None) for pk, paper, index in flagged] + probes
        if project.order == Project.Order.PAPER:
            papers = Paper.objects.filter(corpus=project.corpus_id).values_list("pk", flat=True)
            paper_order = {pk: n for n, pk in enumerate(papers)}
            new.sort(key=lambda row: (paper_order[row[1]], row[2]))
        else:
            random.Random(f"{project.seed}:{project.items.count()}").shuffle(new)
        start = (project.items.aggregate(last=Max("position"))["last"] or 0) + 1
        Item.objects.bulk_create(
            Item(
                project=project,
                sentence_id=pk,
                position=start + n,
                is_probe=probability is not None,
                inclusion_probability=probability,
            )
            for n, (pk, _, _, probability) in enumerate(new)
        )
        deal(project)
    return len(new)


def _draw_probes(project: Project, fresh, flagged_now: int) -> list[tuple]:
    if project.probe_share == 0:
        return []
    # References are never seed sentences (audit.models), so they are not in the frame.
    frame = list(
        fresh.filter(is_seed=False)
        .exclude(kind=Sentence.Kind.REFERENCE)
        .values_list("pk", "paper_id", "index", "seed_score")
    )
    weights = [recall.weight(score) for *_, score in frame]
    if project.probe_rate is None:
        flagged = flagged_now + project.items.filter(is_probe=False).count()
        project.probe_rate = recall.probe_rate(project.probe_share, flagged, sum(weights))
        if project.probe_rate is None:
            return []
        project.save(update_fields=["probe_rate"])
    drawn = []
    for (pk, paper, index, _), weight in zip(frame, weights, strict=True):
        probability = recall.inclusion_probability(project.probe_rate, weight)
        if recall.is_drawn(project.seed, pk, probability):
            drawn.append((pk, paper, index, probability))
    return drawn


def deal(project: Project) -> int:
    """Fill every item's open places (see annotator.assignment); returns how many were dealt."""
    with transaction.atomic():
        _lock(project)
        annotators = list(
            project.memberships.filter(role=Role.ANNOTATOR)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        open_items: dict[int, assignment.OpenItem] = {}
        placed = list(project.items.values_list("pk", "position", "sentence__paper_id"))
        positions = {pk: position for pk, position, _ in placed}
        papers = {pk: paper for pk, _, paper in placed}
        loads: Counter[int] = Counter()
        for item_id, annotator_id, slot in Assignment.objects.filter(project=project).values_list(
            "item_id", "annotator_id", "slot"
        ):
            held = open_items.setdefault(item_id, assignment.OpenItem(item_id))
            held.holders.add(annotator_id)
            held.slots.add(slot)
            loads[annotator_id] += 1
        queue = [
            open_items.get(item_id) or assignment.OpenItem(item_id)
            for item_id in sorted(positions, key=positions.get)
        ]
        dealt = assignment.deal(
            [item for item in queue if len(item.holders) < project.overlap],
            annotators,
            loads,
            project.overlap,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    item_id=d.item_id,
                    annotator_id=d.annotator_id,
                    project=project,
                    position=positions[d.item_id],
                    paper_id=papers[d.item_id],
                    slot=d.slot,
                )
                for d in dealt
            ],
            batch_size=2000,
        )
    return len(dealt)


@dataclass(frozen=True)
class Recorded:
    duplicate: bool  # this client id was applied before: nothing changed now
    replaced: str = ""  # the label it had, when another tab had labelled it already


def record_label(item: Assignment, label: str, note: str, client_id: uuid.UUID) -> Recorded:
    """Save an annotator's label at once; the same client id twice saves it once."""
    try:
        with transaction.atomic():
            # First in its transaction: a repeated client id fails here, before any change.
            LabelEvent.objects.create(
                client_id=client_id, assignment=item, action=LabelEvent.Action.LABEL, label=label
            )
            Assignment.objects.filter(pk=item.pk).update(
                label=label, note=clean_text(note), skipped=False, labelled_at=timezone.now()
            )
            # Last: the project's other labels wait on the tally's row only while this commits.
            given = _tally_label(item.project_id)
    except IntegrityError:
        if LabelEvent.objects.filter(client_id=client_id).exists():
            return Recorded(duplicate=True)
        raise
    if learning.retrain_is_due(given):
        project_id = item.project_id
        transaction.on_commit(lambda: tasks.retrain_seed_model.delay(project_id))
    return Recorded(duplicate=False, replaced=item.label)


# One more label in the project's tally, made at its first label; the tally after it. Standard
# SQL (PostgreSQL, and SQLite from 3.35).
TALLY_SQL = """
INSERT INTO annotator_labeltally (project_id, labels) VALUES (%s, 1)
ON CONFLICT (project_id) DO UPDATE SET labels = annotator_labeltally.labels + 1
RETURNING labels
"""


def _tally_label(project_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(TALLY_SQL, [project_id])
        (given,) = cursor.fetchone()
    return given


def undo_label(
    project: Project, annotator: AbstractBaseUser, client_id: uuid.UUID, item: Assignment | None
) -> Assignment | None:
    """Take back a label (by default the annotator's latest); it comes back first in the queue.

    The paper's primary category, if confirmed, is taken back too: it was chosen with this label.
    The same client id twice takes back one label and answers with the same assignment.
    """
    with transaction.atomic():
        # One undo at a time per annotator: undos running side by side would all pick the
        # same latest label, and take back fewer labels than were asked for.
        list(Membership.objects.select_for_update().filter(project=project, user=annotator))
        earlier = (
            LabelEvent.objects.filter(
                client_id=client_id,
                action=LabelEvent.Action.UNDO,
                assignment__annotator=annotator,
            )
            .select_related("assignment")
            .first()
        )
        if earlier is not None:
            return earlier.assignment
        if item is None:
            item = (
                Assignment.objects.filter(project=project, annotator=annotator)
                .exclude(label="")
                .order_by("-labelled_at", "-pk")
                .first()
            )
        if item is None or not _logged(item, client_id, LabelEvent.Action.UNDO, ""):
            return item
        Assignment.objects.filter(pk=item.pk).update(label="", labelled_at=None)
        PrimaryCategory.objects.filter(
            project=project, annotator=annotator, paper__sentences__items__assignments=item
        ).delete()
    return item


def skip(item: Assignment, client_id: uuid.UUID) -> None:
    """Put an unlabelled item at the end of the annotator's queue."""
    with transaction.atomic():
        if _logged(item, client_id, LabelEvent.Action.SKIP, ""):
            Assignment.objects.filter(pk=item.pk, label="").update(skipped=True)


def confirm_primary(
    project: Project, paper: Paper, annotator: AbstractBaseUser, label: str
) -> None:
    PrimaryCategory.objects.update_or_create(
        project=project, paper=paper, annotator=annotator, defaults={"label": label}
    )


def adjudicate(item: Item, label: str, by: AbstractBaseUser | None) -> None:
    """Set (or with "" clear) the final label of an item: what exports and charts use."""
    item.final_label = label
    item.adjudicated_by = by if label else None
    item.adjudicated_at = timezone.now() if label else None
    item.save(update_fields=["final_label", "adjudicated_by", "adjudicated_at"])


@dataclass(frozen=True)
class ImportedRow:
    """One valid row of an annotations file, its sentence and users found."""

    line: int
    sentence_id: int
    labels: list[tuple[AbstractBaseUser, str, str]]  # annotator, label, note
    final_label: str


@dataclass(frozen=True)
class Imported:
    labels_added: int
    labels_changed: int
    final_labels_set: int


def decide_primary(project: Project, paper: Paper, label: str, by: AbstractBaseUser | None) -> None:
    """Settle a paper's primary category in `project` ("" takes the decision back)."""
    if not label:
        PaperDecision.objects.filter(project=project, paper=paper).delete()
        return
    PaperDecision.objects.update_or_create(
        project=project, paper=paper, defaults={"label": label, "decided_by": by}
    )


def import_annotations(project: Project, rows: list[ImportedRow]) -> Imported:
    """Write valid rows into `project`, whole or not at all; importing twice changes nothing."""
    added = changed = finals = 0
    with transaction.atomic():
        _lock(project)
        for user in {user for row in rows for user, _, _ in row.labels}:
            Membership.objects.get_or_create(project=project, user=user, role=Role.ANNOTATOR)
        items = {item.sentence_id: item for item in project.items.select_related("sentence")}
        next_position = max((item.position for item in items.values()), default=0) + 1
        held: dict[int, dict[int, Assignment]] = defaultdict(dict)
        for given in Assignment.objects.filter(project=project):
            held[given.item_id][given.annotator_id] = given
        for row in rows:
            item = items.get(row.sentence_id)
            if item is None:
                item = Item.objects.create(
                    project=project, sentence_id=row.sentence_id, position=next_position
                )
                items[row.sentence_id] = item
                next_position += 1
            for user, label, note in row.labels:
                existing = held[item.pk].get(user.pk)
                if existing is None:
                    slots = {a.slot for a in held[item.pk].values()}
                    held[item.pk][user.pk] = Assignment.objects.create(
                        item=item,
                        annotator=user,
                        project=project,
                        position=item.position,
                        paper_id=item.sentence.paper_id,
                        slot=next(s for s in range(len(slots) + 1) if s not in slots),
                        label=label,
                        note=note,
                        labelled_at=timezone.now(),
                    )
                    added += 1
                elif (existing.label, existing.note) != (label, note):
                    existing.label, existing.note = label, note
                    existing.skipped = False
                    existing.labelled_at = existing.labelled_at or timezone.now()
                    existing.save(update_fields=["label", "note", "skipped", "labelled_at"])
                    changed += 1
            # A final label that the labels agree on anyway is not an adjudication.
            agreed = final_label([label for _, label, _ in row.labels], "")
            wanted = row.final_label if row.final_label != agreed else item.final_label
            if wanted != item.final_label:
                adjudicate(item, wanted, None)
                finals += 1
        deal(project)
    return Imported(added, changed, finals)


def _lock(project: Project) -> Project:
    """Serialize the writers that deal work: the project row is the lock."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _logged(item: Assignment, client_id: uuid.UUID, action: str, label: str) -> bool:
    """Log what a browser sent; False when its client id was logged before (a retry)."""
    try:
        with transaction.atomic():
            LabelEvent.objects.create(
                client_id=client_id, assignment=item, action=action, label=label
            )
    except IntegrityError:
        if LabelEvent.objects.filter(client_id=client_id).exists():
            return False
        raise
    return True
