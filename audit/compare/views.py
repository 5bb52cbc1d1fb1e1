"""The comparison page, open to anyone: a form, and the report as HTML, JSON or PDF."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from audit.compare import charts
from audit.compare.forms import ScoresForm
from audit.compare.pdf import report_pdf
from audit.compare.report import (
    Report,
    build_report,
    expected_max_table,
    method_note,
    report_dict,
    systems_table,
    tests_table,
)
from audit.compare.scores_csv import CsvError, parse_scores
from audit.documents import render_figure
from audit.rate_limits import rate_limited
from audit.stats import StatsInputError

TEMPLATE = "audit/compare.html"


@require_http_methods(["GET", "POST"])
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": ScoresForm()})
    form, report = _read(request)
    if report is None:
        return render(request, TEMPLATE, {"form": form}, status=400)
    context = {
        "form": ScoresForm(initial={"scores": form.cleaned_data["text"]}),
        "text": form.cleaned_data["text"],
        "report": report,
        "systems": systems_table(report),
        "tests": tests_table(report),
        "expected_max": expected_max_table(report),
        "method_note": method_note(report),
        "charts": _charts(report),
    }
    return render(request, TEMPLATE, context)


@require_POST
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare_json(request: HttpRequest) -> HttpResponse:
    form, report = _read(request)
    if report is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    response = JsonResponse(report_dict(report), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="comparison.json"'
    return response


@require_POST
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _read(request)
    if report is None:
        return render(request, TEMPLATE, {"form": form}, status=400)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="comparison.pdf"'
    return response


def _read(request: HttpRequest) -> tuple[ScoresForm, Report | None]:
    """The form, and the report when its scores can be read and compared."""
    form = ScoresForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    try:
        return form, build_report(parse_scores(form.cleaned_data["text"]))
    except (CsvError, StatsInputError) as error:
        form.add_error(None, str(error))
        return form, None


def _charts(report: Report) -> dict[str, str]:
    """The charts as SVG data URLs: an <img> cannot run script, whatever the names in it."""
    figures = {
        "distributions": charts.distributions_chart(report),
        "intervals": charts.intervals_chart(report),
        "expected_max": charts.expected_max_chart(report),
    }
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(render_figure(fig, "svg")).decode()
        for name, fig in figures.items()
        if fig is not None
    }
