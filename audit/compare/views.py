"""The comparison page, open to anyone: a form, and the report as HTML, JSON or PDF."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST
from matplotlib.figure import Figure

from audit.compare import charts
from audit.compare.forms import ScoresForm
from audit.compare.pdf import report_pdf
from audit.compare.report import (
    MANY_METHOD,
    ManyReport,
    Report,
    build_report,
    expected_max_note,
    expected_max_table,
    many_dict,
    method_note,
    needed_text,
    pairs_matrix,
    ranking_steps,
    report_dict,
    systems_of,
    systems_table,
    tests_table,
)
from audit.compare.scores_csv import CsvError, parse_scores
from audit.documents import render_figure
from audit.rate_limits import rate_limited
from audit.stats import StatsInputError
from audit.stats.compare import MIN_EXAMPLES
from audit.stats.verdict import ASO_REQUIRED_BELOW, MIN_RUNS

TEMPLATE = "audit/compare.html"


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The page, with the rules its text quotes."""
    rules = {
        "min_runs": MIN_RUNS,
        "aso_required_below": ASO_REQUIRED_BELOW,
        "min_examples": MIN_EXAMPLES,
        "many_method": MANY_METHOD,
    }
    return render(request, TEMPLATE, rules | context, status=status)


@require_http_methods(["GET", "POST"])
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, {"form": ScoresForm()})
    form, report = _read(request)
    if report is None:
        return _page(request, {"form": form}, status=400)
    claimed = form.cleaned_data["claimed_better"]
    context = {
        "form": ScoresForm(
            initial={"scores": form.cleaned_data["text"], "claimed_better": claimed}
        ),
        "text": form.cleaned_data["text"],
        "claimed_better": claimed or "",
        "report": report,
    }
    if isinstance(report, ManyReport):
        context["datasets"] = [
            {
                "verdict": verdict,
                "systems": systems_of(report, verdict),
                "matrix": pairs_matrix(verdict),
                "steps": ranking_steps(verdict),
                "chart": _svg(charts.many_distributions_chart(report, verdict)),
            }
            for verdict in report.judged
        ]
        return _page(request, context)
    context |= {
        "systems": systems_table(report),
        "tests": tests_table(report),
        "expected_max": expected_max_table(report),
        "expected_max_note": expected_max_note(report),
        "needed": None if report.needed is None else needed_text(report),
        "method_note": method_note(report),
        "charts": _charts(report),
    }
    return _page(request, context)


@require_POST
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare_json(request: HttpRequest) -> HttpResponse:
    form, report = _read(request)
    if report is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    figures = many_dict(report) if isinstance(report, ManyReport) else report_dict(report)
    response = JsonResponse(figures, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="comparison.json"'
    return response


@require_POST
@rate_limited("compare", "SEEDAUDIT_COMPARE_RATE")
def compare_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _read(request)
    if report is None:
        return _page(request, {"form": form}, status=400)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="comparison.pdf"'
    return response


def _read(request: HttpRequest) -> tuple[ScoresForm, Report | ManyReport | None]:
    """The form, and the report when its scores can be read and compared."""
    form = ScoresForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    try:
        scores = parse_scores(form.cleaned_data["text"])
    except CsvError as error:
        form.add_error(None, str(error))
        return form, None
    claimed = form.cleaned_data["claimed_better"]
    if claimed is not None and claimed not in scores.names:
        form.add_error(
            "claimed_better",
            f"{claimed} is not a system in these scores ({', '.join(scores.names)}); give one "
            "of their names as the scores spell it, or leave it empty.",
        )
        return form, None
    try:
        return form, build_report(scores, claimed)
    except StatsInputError as error:
        form.add_error(None, str(error))
        return form, None


def _charts(report: Report) -> dict[str, str]:
    """The charts as SVG data URLs: an <img> cannot run script, whatever the names in it."""
    figures = {
        "distributions": charts.distributions_chart(report),
        "intervals": charts.intervals_chart(report),
        "expected_max": charts.expected_max_chart(report),
    }
    return {name: _svg(fig) for name, fig in figures.items() if fig is not None}


def _svg(fig: Figure) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(render_figure(fig, "svg")).decode()
