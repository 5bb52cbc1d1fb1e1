"""JSON endpoints behind the annotation session and the adjudication keys.

The browser sends every action with an id it made (`client_id`), so it can resend after a
network error or a reload without the action counting twice.
"""

from __future__ import annotations

import json
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from annotator import actions
from annotator.models import Assignment, Project
from annotator.progress import progress, progress_and_left_in_paper
from annotator.queue import card, is_id, next_cards, papers_to_confirm
from audit.access import Role, items_to_adjudicate, project_for
from audit.models import Paper
from audit.taxonomy import Label

MAX_CARDS = 10
MAX_NOTE = 2000


class BadRequest(Exception):
    pass


def _json_view(view):
    """Login, and a 400 JSON answer for a request the browser should not resend."""

    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return JsonResponse({"error": str(error)}, status=400)

    return wrapped


def _body(request) -> dict:
    try:
        body = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest("The request is not JSON.") from error
    if not isinstance(body, dict):
        raise BadRequest("The request is not a JSON object.")
    return body


def _client_id(body: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(body["client_id"]))
    except (KeyError, ValueError) as error:
        raise BadRequest("client_id must be a UUID.") from error


def _label(value: object, allow_blank: bool = False) -> str:
    if value in Label.values or (allow_blank and value == ""):
        return value
    raise BadRequest(f"label must be one of {', '.join(Label.values)}.")


# The lookup every label makes, written out: building it with the ORM cost several times the
# CPU of running it.
ASSIGNMENT_SQL = """
SELECT * FROM annotator_assignment a
WHERE a.id = %s AND a.project_id = %s AND a.annotator_id = %s
"""
MEMBER_SQL = """
  AND EXISTS (
      SELECT 1 FROM annotator_membership m
      WHERE m.project_id = a.project_id AND m.user_id = a.annotator_id AND m.role = %s
  )
"""


def _assignment(project, request, body: dict, member_as: Role | None = None) -> Assignment:
    """The user's own assignment in the project; with `member_as`, only while they hold that
    role in it (the check the endpoints otherwise make with `project_for`)."""
    pk = body.get("assignment")
    if not isinstance(pk, int):
        raise BadRequest("assignment must be a number.")
    project_id = project.pk if isinstance(project, Project) else project
    if not (is_id(pk) and is_id(project_id)):
        raise Http404
    found = list(
        Assignment.objects.raw(
            ASSIGNMENT_SQL + (MEMBER_SQL if member_as else ""),
            [int(pk), project_id, request.user.pk, *([member_as] if member_as else [])],
        )
    )
    if not found:
        raise Http404
    return found[0]


def _progress(project, user) -> dict:
    done = progress(project, user)
    return {"done": done.done, "assigned": done.assigned}


@_json_view
@require_GET
def next_items(request, project_id: int):
    exclude = [int(pk) for pk in request.GET.get("exclude", "").split(",") if pk.isdigit()]
    asked = request.GET.get("limit", "")
    limit = min(int(asked), MAX_CARDS) if asked.isdigit() else 3
    # The busiest read: next_cards checks the membership itself; with no cards, the answer
    # depends on whether the project is theirs at all.
    cards = next_cards(project_id, request.user, exclude, limit)
    answer = {"cards": cards}
    if not cards:
        project = project_for(request, project_id, [Role.ANNOTATOR], staff=False)
        if not exclude:
            answer["progress"] = _progress(project, request.user)
    return JsonResponse(answer)


@_json_view
@require_POST
def label(request, project_id: int):
    # The busiest endpoint: the project and membership checks ride on the assignment's query.
    body = _body(request)
    assigned = _assignment(project_id, request, body, member_as=Role.ANNOTATOR)
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise BadRequest(f"note must be text of at most {MAX_NOTE} characters.")
    recorded = actions.record_label(assigned, _label(body.get("label")), note, _client_id(body))
    paper_id = assigned.paper_id
    done, left_in_paper = progress_and_left_in_paper(project_id, request.user, paper_id)
    papers = [] if left_in_paper else papers_to_confirm(project_id, request.user, [paper_id])
    return JsonResponse(
        {
            "duplicate": recorded.duplicate,
            "replaced": recorded.replaced,
            "progress": {"done": done.done, "assigned": done.assigned},
            "papers": papers,
        }
    )


@_json_view
@require_POST
def undo(request, project_id: int):
    project = project_for(request, project_id, [Role.ANNOTATOR], staff=False)
    body = _body(request)
    assigned = _assignment(project, request, body) if "assignment" in body else None
    undone = actions.undo_label(project, request.user, _client_id(body), assigned)
    if undone is not None:
        undone = Assignment.objects.select_related("item__sentence__paper").get(pk=undone.pk)
    return JsonResponse(
        {
            "card": card(undone) if undone is not None else None,
            "progress": _progress(project, request.user),
        }
    )


@_json_view
@require_POST
def skip(request, project_id: int):
    project = project_for(request, project_id, [Role.ANNOTATOR], staff=False)
    body = _body(request)
    actions.skip(_assignment(project, request, body), _client_id(body))
    return JsonResponse({"progress": _progress(project, request.user)})


@_json_view
@require_POST
def primary(request, project_id: int):
    project = project_for(request, project_id, [Role.ANNOTATOR], staff=False)
    body = _body(request)
    papers = Paper.objects.filter(
        sentences__items__assignments__project=project,
        sentences__items__assignments__annotator=request.user,
    ).distinct()
    paper = get_object_or_404(
        papers, pk=body.get("paper") if isinstance(body.get("paper"), int) else None
    )
    actions.confirm_primary(project, paper, request.user, _label(body.get("label")))
    return JsonResponse({"ok": True})


@_json_view
@require_POST
def adjudicate(request, project_id: int, item_id: int):
    # Managers, and adjudicators of this project for items not dealt to them; 404 otherwise.
    project = project_for(request, project_id, [Role.ADJUDICATOR])
    item = get_object_or_404(items_to_adjudicate(request.user, project), pk=item_id)
    final = _label(_body(request).get("label"), allow_blank=True)
    actions.adjudicate(item, final, request.user)
    return JsonResponse({"item": item.pk, "final_label": final})


@_json_view
@require_POST
def decide_paper(request, project_id: int, paper_id: int):
    """An adjudicator's primary category for a paper (blank: undo), never one dealt to them."""
    project = project_for(request, project_id, [Role.ADJUDICATOR])
    theirs = Assignment.objects.filter(project=project, annotator=request.user)
    papers = Paper.objects.filter(sentences__items__project=project).exclude(
        pk__in=theirs.values("item__sentence__paper_id")
    )
    paper = get_object_or_404(papers.distinct(), pk=paper_id)
    final = _label(_body(request).get("label"), allow_blank=True)
    actions.decide_primary(project, paper, final, request.user)
    return JsonResponse({"paper": paper.pk, "final_label": final})
