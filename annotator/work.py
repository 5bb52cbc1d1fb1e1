"""A person's work across projects, as their home page shows it: queues to label with their
progress, disagreements to settle, projects to oversee."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from annotator.adjudication import Disagreements, disagreements
from annotator.models import Project
from annotator.progress import Progress, progress
from audit.access import SEE_LABELS, Role, projects_of, sees_all_labels


@dataclass(frozen=True)
class Work:
    queues: list[tuple[Project, Progress]]
    adjudicating: list[tuple[Project, Disagreements]]
    overseeing: list[Project]

    def __bool__(self) -> bool:
        return bool(self.queues or self.adjudicating or self.overseeing)


def work_of(user: AbstractBaseUser) -> Work:
    annotating = projects_of(user, [Role.ANNOTATOR], staff=False).select_related("corpus")
    adjudicating = projects_of(user, [Role.ADJUDICATOR], staff=False).select_related("corpus")
    return Work(
        queues=[(project, progress(project, user)) for project in annotating],
        adjudicating=[(project, disagreements(project, user)) for project in adjudicating],
        overseeing=[
            project
            for project in projects_of(user, SEE_LABELS).select_related("corpus")
            if sees_all_labels(user, project)
        ],
    )
