"""How far annotators are, how fast they go, what they chose."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from annotator.models import Assignment, LabelEvent, Membership, Project

# A longer pause between two labels is a break, not time spent on the sentence.
BREAK_SECONDS = 300


@dataclass(frozen=True)
class Progress:
    done: int
    assigned: int
    skipped: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 100


def progress(project: Project | int, annotator: AbstractBaseUser) -> Progress:
    return progress_and_left_in_paper(project, annotator)[0]


# Asked after every label; written out, as building it with the ORM cost five times the CPU of
# running it. A paper id of NULL counts nothing left in it.
PROGRESS_SQL = """
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN label <> '' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN skipped THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN label = '' AND paper_id = %s THEN 1 ELSE 0 END), 0)
FROM annotator_assignment
WHERE project_id = %s AND annotator_id = %s
"""


def progress_and_left_in_paper(
    project: Project | int, annotator: AbstractBaseUser, paper_id: int | None = None
) -> tuple[Progress, int]:
    """The annotator's progress, and how many of their sentences of one paper are still to
    label: one query, since the label endpoint needs both after every label."""
    project_id = project.pk if isinstance(project, Project) else project
    with connection.cursor() as cursor:
        cursor.execute(PROGRESS_SQL, [paper_id, project_id, annotator.pk])
        assigned, done, skipped, left = cursor.fetchone()
    return Progress(done=done, assigned=assigned, skipped=skipped), left


@dataclass
class AnnotatorStats:
    username: str
    role: str
    assigned: int = 0
    done: int = 0
    skipped: int = 0
    by_label: Counter = field(default_factory=Counter)
    median_seconds: float | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def label_counts(self) -> list[tuple[str, int]]:
        return self.by_label.most_common()


def annotator_stats(project: Project) -> list[AnnotatorStats]:
    """Per annotator (members, and former ones who left labels): counts and speed."""
    stats: dict[str, AnnotatorStats] = {
        username: AnnotatorStats(username, role)
        for username, role in project.memberships.filter(
            role=Membership.Role.ANNOTATOR
        ).values_list("user__username", "role")
    }
    rows = Assignment.objects.filter(project=project).values_list(
        "annotator__username", "label", "skipped"
    )
    for username, label, skipped in rows:
        entry = stats.setdefault(username, AnnotatorStats(username, "former annotator"))
        entry.assigned += 1
        entry.done += bool(label)
        entry.skipped += skipped
        if label:
            entry.by_label[label] += 1
    for username, seconds in _seconds_per_label(project).items():
        stats[username].median_seconds = statistics.median(seconds) if seconds else None
    return sorted(stats.values(), key=lambda s: s.username)


def _seconds_per_label(project: Project) -> dict[str, list[float]]:
    """Time from each action of an annotator to their next label, breaks left out."""
    events = (
        LabelEvent.objects.filter(assignment__project=project)
        .order_by("assignment__annotator_id", "created_at")
        .values_list("assignment__annotator__username", "action", "created_at")
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    previous: dict[str, object] = {}
    for username, action, created_at in events:
        if username in previous and action == LabelEvent.Action.LABEL:
            gap = (created_at - previous[username]).total_seconds()
            if gap <= BREAK_SECONDS:
                seconds[username].append(gap)
        previous[username] = created_at
    return seconds
