"""Pages of the lab: test a paper's claim, follow its experiments, read and download its report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.access import can_cancel_claim, can_write_corpus, visible_corpora
from audit.documents import FORMATS, render_figure
from audit.lab import actions
from audit.lab.charts import chart, chart_names
from audit.lab.claims import (
    claim_labels,
    claim_seconds,
    claim_state,
    is_testable,
    named_seeds,
    seconds_per_model,
)
from audit.lab.forms import ClaimForm
from audit.lab.models import Claim
from audit.lab.pdf import CAVEAT, report_pdf
from audit.lab.tasks import queue_claim
from audit.models import Sentence
from audit.taxonomy import Label


def _sentence(request, sentence_id: int) -> Sentence:
    return get_object_or_404(
        Sentence.objects.select_related("paper__corpus"),
        pk=sentence_id,
        is_seed=True,
        paper__corpus__in=visible_corpora(request.user),
    )


def _claim(request, claim_id: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("paper__corpus", "sentence"),
        pk=claim_id,
        paper__corpus__in=visible_corpora(request.user),
    )


def _report(request, claim_id: int) -> Claim:
    claim = _claim(request, claim_id)
    if claim.report is None:
        raise Http404("This claim has no report yet.")
    return claim


@login_required
def claim_new(request, sentence_id: int):
    sentence = _sentence(request, sentence_id)
    if not can_write_corpus(request.user, sentence.paper.corpus):
        raise PermissionDenied("Only the corpus's owner and managers start lab claims.")
    label = claim_labels([sentence], request.user)[sentence.pk]
    if not is_testable(label):
        raise Http404("This sentence is not labelled as a claim the lab can test.")
    form = ClaimForm(request.POST or None, initial={"seeds": named_seeds(sentence)})
    if request.method == "POST" and form.is_valid():
        claim = actions.create_claim(
            sentence,
            setups=form.setups,
            claimed_score=form.cleaned_data["claimed_score"],
            seeds=form.cleaned_data["seeds"],
            runs=form.cleaned_data["runs"],
            retrain=form.cleaned_data["retrain"],
            device=form.cleaned_data["device"],
            user=request.user,
        )
        queue_claim(claim)
        messages.success(request, "The experiments are queued on the lab's workers.")
        return redirect("lab:claim", claim_id=claim.pk)
    per_model = seconds_per_model()
    setups, runs, retrain = _asked(form)
    context = {
        "sentence": sentence,
        "paper": sentence.paper,
        "label_display": Label(label).label,
        "form": form,
        "seconds_per_model": per_model,
        "estimate": claim_seconds(setups, runs, per_model, retrain),
    }
    status = 400 if form.errors else 200
    return render(request, "audit/lab/claim_new.html", context, status=status)


def _asked(form: ClaimForm) -> tuple[list[str], int, int]:
    """The setups, runs per experiment and retraining seeds the form shows (as sent, or its
    first choices)."""
    value = {name: form[name].value() for name in ("setup", "other_setup", "runs", "retrain")}
    setups = [value["setup"] or form.fields["setup"].choices[0][0], value["other_setup"]]
    runs, retrain = (str(value[name] or "") for name in ("runs", "retrain"))
    return (
        [name for name in setups if name],
        int(runs) if runs.isdigit() else 0,
        int(retrain) if retrain.isdigit() else 0,
    )


@login_required
def claim_detail(request, claim_id: int):
    claim = _claim(request, claim_id)
    experiments = list(claim.experiments.all())
    finished, state = claim_state(claim, experiments)
    context = {
        "claim": claim,
        "experiments": experiments,
        "finished": finished,
        "state": state,
        "report": claim.report,
        "caveat": CAVEAT,
        "can_cancel": can_cancel_claim(request.user, claim),
    }
    if claim.report:
        *setup_charts, expected_max = (
            reverse("lab:report-chart", args=[claim.pk, name, "svg"])
            for name in chart_names(claim.report)
        )
        context["setup_sections"] = list(zip(claim.report["setups"], setup_charts, strict=True))
        context["expected_max_url"] = expected_max
    return render(request, "audit/lab/claim.html", context)


@login_required
def claim_status(request, claim_id: int):
    claim = _claim(request, claim_id)
    experiments = list(claim.experiments.all())
    finished, state = claim_state(claim, experiments)
    rows = [
        {
            "id": e.pk,
            "setup": e.setup,
            "kind": e.kind,
            "status": e.status,
            "status_display": e.status_label,
            "runs_done": e.runs_done,
            "runs_planned": e.runs_planned,
            "progress": e.progress,
            "error": e.error,
        }
        for e in experiments
    ]
    return JsonResponse(
        {
            "experiments": rows,
            "finished": finished,
            "report_ready": claim.report is not None,
            "state": state,
        }
    )


@login_required
@require_POST
def claim_cancel(request, claim_id: int):
    claim = _claim(request, claim_id)
    if not can_cancel_claim(request.user, claim):
        raise PermissionDenied("Only the claim's author and managers cancel it.")
    actions.cancel_claim(claim)
    messages.info(request, "Cancelled: runs already finished are kept.")
    return redirect("lab:claim", claim_id=claim.pk)


@login_required
def claim_report_json(request, claim_id: int):
    claim = _report(request, claim_id)
    return JsonResponse(claim.report, json_dumps_params={"ensure_ascii": False})


@login_required
def claim_report_pdf(request, claim_id: int):
    claim = _report(request, claim_id)
    response = HttpResponse(report_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lab-claim-{claim.pk}.pdf"'
    return response


@login_required
def claim_chart(request, claim_id: int, name: str, fmt: str):
    claim = _report(request, claim_id)
    if fmt not in FORMATS:
        raise Http404("No such chart format.")
    try:
        fig = chart(claim.report, name)
    except KeyError as error:
        raise Http404("No such chart.") from error
    return HttpResponse(render_figure(fig, fmt), content_type=FORMATS[fmt])
