"""Who may do what in a project. Outsiders get 404, so that a project's existence does not leak.

Managers are Django staff: they see and run every project. Annotators reach only their own
queue, never the project page (it shows the others' labels: labelling is blind). Reviewers see
the project read-only; adjudicators see it and pick final labels.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from annotator.models import Membership, Project

Role = Membership.Role
SEE_LABELS = (Role.REVIEWER, Role.ADJUDICATOR)


def projects_of(user, roles, staff: bool = True) -> QuerySet[Project]:
    if staff and user.is_staff:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user, memberships__role__in=roles)


def project_for(request, project_id: int, roles, staff: bool = True) -> Project:
    """The project if the user has one of `roles` in it (or, with `staff`, is a manager)."""
    projects = projects_of(request.user, roles, staff).select_related("corpus")
    return get_object_or_404(projects, pk=project_id)


def can_adjudicate(user, project: Project) -> bool:
    return user.is_staff or project.memberships.filter(user=user, role=Role.ADJUDICATOR).exists()
