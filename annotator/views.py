"""Pages: projects, a project's figures, the annotation session, adjudication, import/export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotator import actions, exchange, tasks
from annotator.adjudication import disagreements
from annotator.agreement import MAX_UNDEFINED_SHARE, cached_agreement
from annotator.forms import ImportForm, MemberForm, OverlapForm, ProjectForm
from annotator.labels import item_labels, ratings
from annotator.primary import project_primaries
from annotator.progress import annotator_stats, progress
from annotator.queue import papers_to_confirm, paragraph_context, recent_labels
from annotator.recall import project_recall
from annotator.work import work_of
from audit.access import (
    SEE_LABELS,
    Role,
    can_adjudicate,
    labels_project,
    project_for,
)
from audit.downloads import attach
from audit.models import SeedModel
from audit.seeduse import versions
from audit.taxonomy import CATEGORIES

# Staff only: no member role is enough to change a project.
MANAGERS_ONLY: list[str] = []
# The project page resamples items this often per agreement figure.
BOOTSTRAP_RESAMPLES = 1000


@login_required
def projects(request):
    context = {
        "work": work_of(request.user),
        "form": ProjectForm() if request.user.is_staff else None,
    }
    return render(request, "annotator/projects.html", context)


@login_required
@require_POST
def project_create(request):
    if not request.user.is_staff:
        raise Http404("Only managers create projects.")
    form = ProjectForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "annotator/projects.html",
            {"work": work_of(request.user), "form": form},
            status=400,
        )
    data = form.cleaned_data
    project = actions.create_project(
        data["corpus"],
        data["name"],
        overlap=data["overlap"],
        order=data["order"],
        probe_share=data["probe_share"],
        created_by=request.user,
        members=data["members"],
    )
    messages.success(request, f"Created {project.name} with {project.items.count()} sentences.")
    return redirect("annotator:project", project_id=project.pk)


@login_required
def project_detail(request, project_id: int):
    project = labels_project(request, project_id)
    entries = item_labels(project)
    label_ratings = ratings(project)
    estimate, misses = project_recall(entries)
    context = {
        "project": project,
        "members": _members(project),
        "stats": annotator_stats(project),
        "views": [
            ("Six labels", cached_agreement(label_ratings, BOOTSTRAP_RESAMPLES, project.seed)),
            (
                "Safe / risky / not a seed use",
                cached_agreement(label_ratings.collapsed(), BOOTSTRAP_RESAMPLES, project.seed),
            ),
        ],
        "undefined_limit": MAX_UNDEFINED_SHARE,
        "recall": estimate,
        "misses": misses,
        "primaries": project_primaries(project, entries),
        "items": len(entries),
        "disagreements": sum(
            1 for entry in entries if entry.disagree and not entry.item.final_label
        ),
        "can_adjudicate": can_adjudicate(request.user, project),
        "member_form": MemberForm(),
        "overlap_form": OverlapForm(initial={"overlap": project.overlap}),
        "import_form": ImportForm(),
        "seed_models": project.seed_models.all(),
        "corpus_has_default": SeedModel.objects.filter(
            corpus=project.corpus_id, is_default=True
        ).exists(),
        "retrain_every": settings.SEEDAUDIT_RETRAIN_EVERY,
    }
    return render(request, "annotator/project.html", context)


@login_required
@require_POST
def seed_model_train(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    tasks.retrain_seed_model.delay(project.pk)
    messages.info(request, "The seed-use model is being retrained on this project's labels.")
    return redirect("annotator:project", project_id=project.pk)


@login_required
@require_POST
def seed_model_default(request, project_id: int, version_id: int):
    """Make a version of this project (0: the shipped model) the corpus default; re-score."""
    project = project_for(request, project_id, MANAGERS_ONLY)
    version = (
        get_object_or_404(project.seed_models, pk=version_id, status=SeedModel.Status.DONE)
        if version_id
        else None
    )
    versions.make_default(project.corpus, version)
    tasks.rescore_corpus.delay(project.corpus_id)
    messages.success(
        request,
        "The corpus is being re-scored with "
        + (
            "the shipped model"
            if version is None
            else f"the model of {version.created_at:%Y-%m-%d %H:%M}"
        )
        + "; labels stay as they are.",
    )
    return redirect("annotator:project", project_id=project.pk)


def _members(project) -> list[tuple[str, list[str]]]:
    """Each person of the project with their roles, by name."""
    roles: dict[str, list[str]] = {}
    for membership in project.memberships.select_related("user").order_by("user__username"):
        roles.setdefault(membership.user.username, []).append(membership.get_role_display())
    return list(roles.items())


@login_required
@require_POST
def project_members(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    form = MemberForm(request.POST)
    if form.is_valid():
        user, roles = form.cleaned_data["user"], form.cleaned_data["roles"]
        actions.set_roles(project, user, roles)
        held = ", ".join(Role(role).label for role in roles) or "removed from the project"
        messages.success(request, f"{user}: {held}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("annotator:project", project_id=project.pk)


@login_required
@require_POST
def project_overlap(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    form = OverlapForm(request.POST)
    if form.is_valid():
        actions.set_overlap(project, form.cleaned_data["overlap"])
        messages.success(request, f"Each sentence now goes to {project.overlap} annotators.")
    else:
        messages.error(request, "The overlap is a number from 1 to 10.")
    return redirect("annotator:project", project_id=project.pk)


@login_required
@require_POST
def project_sync(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    added = actions.sync_items(project)
    messages.success(request, f"Added {added} new sentences to the queues.")
    return redirect("annotator:project", project_id=project.pk)


@login_required
@require_POST
def project_results(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    opened = request.POST.get("open") == "1"
    actions.open_results(project, opened)
    if opened:
        messages.success(request, "Its annotators now see this project's labels in reports.")
    else:
        messages.info(request, "Its annotators see its labels once every sentence is decided.")
    return redirect("annotator:project", project_id=project.pk)


@login_required
def session(request, project_id: int):
    project = project_for(request, project_id, [Role.ANNOTATOR], staff=False)
    done = progress(project, request.user)
    start = {
        "progress": {"done": done.done, "assigned": done.assigned},
        "papers": papers_to_confirm(project, request.user),
        "recent": recent_labels(project, request.user),
        "storageKey": f"seedaudit:{request.user.pk}:{project.pk}",
        "urls": {
            name: reverse(f"annotator:api-{name}", args=[project.pk])
            for name in ("next", "label", "undo", "skip", "paper")
        },
        "categories": [
            {"label": c.label.value, "name": c.name, "key": c.key, "group": c.group.value}
            for c in CATEGORIES
        ],
    }
    context = {"project": project, "progress": done, "categories": CATEGORIES, "start": start}
    return render(request, "annotator/session.html", context)


@login_required
def adjudication(request, project_id: int):
    project = project_for(request, project_id, SEE_LABELS)
    show_all = request.GET.get("show") == "all"
    found = disagreements(project, request.user)
    entries = [entry for entry in found.items if show_all or not entry.item.final_label]
    around = paragraph_context([entry.item.sentence for entry in entries])
    context = {
        "project": project,
        "found": found,
        "entries": [(entry, *around[entry.item.sentence_id]) for entry in entries],
        "papers": [row for row in found.papers if show_all or not row.decided],
        "show_all": show_all,
        "categories": CATEGORIES,
        "can_adjudicate": can_adjudicate(request.user, project),
    }
    return render(request, "annotator/adjudicate.html", context)


@login_required
def export(request, project_id: int, fmt: str):
    project = labels_project(request, project_id)
    response = HttpResponse(content_type="text/csv" if fmt == "csv" else "application/x-ndjson")
    attach(response, f"{project.corpus.name}-{project.name}-annotations.{fmt}".replace(" ", "_"))
    exchange.write(exchange.export_rows(project.corpus, project), fmt, response)
    return response


@login_required
@require_POST
def import_file(request, project_id: int):
    project = project_for(request, project_id, MANAGERS_ONLY)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("file", ["Choose a file."])))
        return redirect("annotator:project", project_id=project.pk)
    text = form.cleaned_data["file"].read().decode("utf-8-sig", "replace")
    try:
        rows = exchange.read(text, exchange.sniff_format(text))
        imported = actions.import_annotations(project, exchange.resolve(rows, project))
    except exchange.InvalidAnnotations as error:
        messages.error(request, f"Nothing was imported: {error}.")
    else:
        messages.success(
            request,
            f"Imported {imported.labels_added} new labels, changed {imported.labels_changed}, "
            f"set {imported.final_labels_set} final labels.",
        )
    return redirect("annotator:project", project_id=project.pk)
