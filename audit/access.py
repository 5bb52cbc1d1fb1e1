"""Who may do what: every permission rule of seedaudit, as README's permission table states it.

People:
- managers are Django staff: they see and may do everything;
- a corpus's owner (who created it) writes to it: uploads, metadata, reprocessing, lab claims;
- a corpus's readers (its members, set in the admin) read it;
- a project over a corpus gives its members roles, several per person where blindness survives
  (`ROLE_SETS`): annotators label their own queue, adjudicators pick final labels, reviewers
  read the project's figures. All of them read the corpus; none writes to it.

Labelling is blind: an annotator learns no other annotator's label, on any page or link, before
the item is adjudicated. Outsiders get 404 rather than 403, so that existence does not leak; a
person who may see a thing but not change it gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from annotator.labels import item_labels
from annotator.models import Assignment, Item, Membership, Project
from audit.lab.models import Claim
from audit.models import Corpus, Paper

Role = Membership.Role
SEE_LABELS = (Role.REVIEWER, Role.ADJUDICATOR)
# Role sets a person may hold in one project. A reviewer sees every label of the project, so
# annotating beside it would not be blind; an annotator may adjudicate the items not dealt to them.
ROLE_SETS = (
    frozenset({Role.ANNOTATOR}),
    frozenset({Role.ADJUDICATOR}),
    frozenset({Role.REVIEWER}),
    frozenset({Role.ANNOTATOR, Role.ADJUDICATOR}),
    frozenset({Role.ADJUDICATOR, Role.REVIEWER}),
)


def role_set_error(roles: Iterable[str]) -> str:
    """Why a person may not hold these roles together in one project ("" when they may)."""
    roles = frozenset(roles)
    if not roles or roles in ROLE_SETS:
        return ""
    return (
        "an annotator cannot also be a reviewer: reviewers see every label of the project, "
        "and labelling is blind"
    )


# Corpora and papers


def visible_corpora(user) -> QuerySet[Corpus]:
    if user.is_staff:
        return Corpus.objects.all()
    in_projects = Project.objects.filter(memberships__user=user).values("corpus_id")
    return Corpus.objects.filter(Q(owner=user) | Q(members=user) | Q(pk__in=in_projects)).distinct()


def visible_corpus(user, corpus_id: int) -> Corpus:
    return get_object_or_404(visible_corpora(user), pk=corpus_id)


def visible_paper(user, paper_id: int) -> Paper:
    return get_object_or_404(
        Paper.objects.select_related("corpus"), pk=paper_id, corpus__in=visible_corpora(user)
    )


def can_write_corpus(user, corpus: Corpus) -> bool:
    """Upload, edit metadata, reprocess, delete failed papers, start lab claims."""
    return user.is_staff or corpus.owner_id == user.pk


def writable_corpus(user, corpus_id: int) -> Corpus:
    corpus = visible_corpus(user, corpus_id)
    if not can_write_corpus(user, corpus):
        raise PermissionDenied("Only the corpus's owner and managers change it.")
    return corpus


def writable_paper(user, paper_id: int) -> Paper:
    paper = visible_paper(user, paper_id)
    if not can_write_corpus(user, paper.corpus):
        raise PermissionDenied("Only the corpus's owner and managers change its papers.")
    return paper


# The lab


def can_cancel_claim(user, claim: Claim) -> bool:
    return user.is_staff or (claim.created_by_id is not None and claim.created_by_id == user.pk)


def blind_sentences(user, sentence_ids: Iterable[int]) -> set[int]:
    """Of these sentences, those whose labels `user` must not learn: dealt to them in a project
    they annotate, and not adjudicated yet. Their lab buttons go by the highlighter alone."""
    if user.is_staff:
        return set()
    items = Item.objects.filter(
        sentence_id__in=list(sentence_ids),
        final_label="",
        project__memberships__user=user,
        project__memberships__role=Role.ANNOTATOR,
    )
    return set(items.values_list("sentence_id", flat=True))


# Annotation projects


def projects_of(user, roles, staff: bool = True) -> QuerySet[Project]:
    if staff and user.is_staff:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def project_for(request, project_id: int, roles, staff: bool = True) -> Project:
    """The project if the user has one of `roles` in it (or, with `staff`, is a manager)."""
    projects = projects_of(request.user, roles, staff).select_related("corpus")
    return get_object_or_404(projects, pk=project_id)


def roles_in(user, project: Project) -> set[str]:
    return set(project.memberships.filter(user=user).values_list("role", flat=True))


def sees_all_labels(user, project: Project) -> bool:
    """The project page, its exports and its reports: managers, and reviewers or adjudicators
    who do not annotate the project."""
    if user.is_staff:
        return True
    roles = roles_in(user, project)
    return bool(roles & set(SEE_LABELS)) and Role.ANNOTATOR not in roles


def labels_project(request, project_id: int) -> Project:
    """The project for its pages that show every label: 404 to outsiders, 403 to its annotators."""
    project = project_for(request, project_id, SEE_LABELS)
    if not sees_all_labels(request.user, project):
        raise PermissionDenied("You annotate this project: its labels stay hidden from you.")
    return project


def can_adjudicate(user, project: Project) -> bool:
    return user.is_staff or project.memberships.filter(user=user, role=Role.ADJUDICATOR).exists()


def items_to_adjudicate(user, project: Project) -> QuerySet[Item]:
    """The project's items `user` may see the labels of and decide: none were dealt to them."""
    return project.items.exclude(pk__in=Assignment.objects.filter(annotator=user).values("item_id"))


def report_projects(corpus: Corpus, user=None) -> QuerySet[Project]:
    """The corpus's projects whose labels a report may use. For the command line (no user), and
    for managers, all. Anyone else who annotates a project sees its labels once the manager
    opens its results or every item is decided; others who may see the corpus see them all."""
    projects = corpus.projects.all()
    if user is None or user.is_staff:
        return projects
    annotating = projects.filter(
        memberships__user=user, memberships__role=Role.ANNOTATOR, results_open=False
    )
    closed = [project.pk for project in annotating if not _all_decided(project)]
    return projects.exclude(pk__in=closed)


def _all_decided(project: Project) -> bool:
    return all(entry.final for entry in item_labels(project))
