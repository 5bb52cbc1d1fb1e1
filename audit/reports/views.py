"""Pages and downloads: a paper's checklist, a corpus's Table 1 and chart, its spreadsheet and
its checklists. Every one reads the same query string (`audit.reports.forms.SelectionForm`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import render
from django.utils.text import slugify

from audit.access import report_projects, visible_corpus, visible_paper
from audit.documents import FORMATS as CHART_FORMATS
from audit.documents import render_figure
from audit.downloads import download
from audit.models import Corpus, Paper
from audit.reports import checklist_files, spreadsheet, table1
from audit.reports.basis import DESCRIPTIONS, Basis, Selection
from audit.reports.checklist import build_checklist
from audit.reports.forms import SelectionForm
from audit.reports.usage_chart import (
    CATEGORY_COLOURS,
    CONFIDENCE,
    USE_CATEGORIES,
    usage_by_year,
    usage_figure,
)
from audit.reports.uses import selected_uses

TABLE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", table1.to_csv),
    "md": ("text/markdown; charset=utf-8", table1.to_markdown),
    "tex": ("application/x-tex; charset=utf-8", table1.to_latex),
}


def _selection(
    request, corpus: Corpus, default_basis: Basis, page: bool = False
) -> tuple[Selection, dict]:
    """The selection the query asks for, and what the page's controls need to show it. A page
    shows what was wrong with the query beside the defaults it used instead; a download, which
    must not hand over other figures than asked for, answers 400."""
    projects = report_projects(corpus, request.user)
    form = SelectionForm(request.GET, projects)
    if not form.is_valid() and not page:
        raise BadRequest(f"Bad report parameters: {form.errors.as_text()}")
    selection = form.selection(corpus, default_basis)
    hidden = corpus.projects.filter(is_default=True).exclude(pk__in=projects.values("pk"))
    controls = {
        "selection": selection,
        "bases": [(basis, DESCRIPTIONS[basis]) for basis in Basis],
        "projects": projects,
        "hidden_project": None if form.cleaned_data.get("project") else hidden.first(),
        "selection_errors": [
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        ],
        # "?basis=…" to append to a link, or "" when the selection is the default one.
        "query": f"?{query}" if (query := urlencode(selection.query())) else "",
    }
    return selection, controls


def _read_paper(request, paper_id: int) -> Paper:
    paper = visible_paper(request.user, paper_id)
    if paper.status != Paper.Status.DONE:
        raise Http404("This paper has not been read: it has no checklist.")
    return paper


def _stem(corpus: Corpus) -> str:
    return slugify(corpus.name) or "corpus"


def _site(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def checklist_page(request, paper_id: int):
    paper = _read_paper(request, paper_id)
    selection, controls = _selection(request, paper.corpus, Basis.SUGGESTED, page=True)
    checklist = build_checklist(paper, selection.project, selection.basis)
    context = checklist_files.template_context(checklist) | controls | {"paper": paper}
    return render(request, "audit/reports/checklist.html", context)


@login_required
def checklist_file(request, paper_id: int, fmt: str):
    paper = _read_paper(request, paper_id)
    selection, _ = _selection(request, paper.corpus, Basis.SUGGESTED)
    checklist = build_checklist(paper, selection.project, selection.basis)
    content = checklist_files.render(checklist, fmt, _site(request))
    return download(content, checklist_files.FORMATS[fmt], checklist_files.file_name(paper, fmt))


@login_required
def corpus_checklists(request, corpus_id: int, fmt: str):
    corpus = visible_corpus(request.user, corpus_id)
    selection, _ = _selection(request, corpus, Basis.SUGGESTED)
    files = checklist_files.corpus_checklists(selection, fmt, _site(request))
    name = f"{_stem(corpus)}-checklists-{fmt}.zip"
    return download(checklist_files.zip_of(files), "application/zip", name)


@login_required
def seed_uses(request, corpus_id: int):
    corpus = visible_corpus(request.user, corpus_id)
    selection, controls = _selection(request, corpus, Basis.PRIMARY, page=True)
    uses = selected_uses(selection)
    table = table1.table1(uses, selection.basis)
    usage = usage_by_year(uses, selection.basis)
    svg = render_figure(usage_figure(usage, selection), "svg").decode()
    # order_by() clears Paper's default ordering, whose columns would defeat the DISTINCT.
    venues = corpus.papers.exclude(venue="").order_by().values_list("venue", flat=True)
    context = controls | {
        "corpus": corpus,
        "table": table,
        "rows": [(row, CATEGORY_COLOURS.get(row.label)) for row in table.rows],
        "caption": table1.caption(table, selection),
        "usage": usage,
        "categories": USE_CATEGORIES,
        "confidence": f"{CONFIDENCE:.0%}",
        # Inline, without its XML prolog, so that it scales with the page.
        "chart": svg[svg.index("<svg") :],
        "filters": True,
        "venues": sorted(venues.distinct()),
    }
    return render(request, "audit/reports/seed_uses.html", context)


@login_required
def table1_file(request, corpus_id: int, fmt: str):
    corpus = visible_corpus(request.user, corpus_id)
    selection, _ = _selection(request, corpus, Basis.PRIMARY)
    uses = selected_uses(selection)
    content_type, write = TABLE_FORMATS[fmt]
    content = write(table1.table1(uses, selection.basis), selection)
    return download(content, content_type, f"{_stem(corpus)}-table1.{fmt}")


@login_required
def usage_chart_file(request, corpus_id: int, fmt: str):
    corpus = visible_corpus(request.user, corpus_id)
    selection, _ = _selection(request, corpus, Basis.PRIMARY)
    uses = selected_uses(selection)
    figure = usage_figure(usage_by_year(uses, selection.basis), selection)
    name = f"{_stem(corpus)}-seed-uses-by-year.{fmt}"
    return download(render_figure(figure, fmt), CHART_FORMATS[fmt], name)


@login_required
def spreadsheet_file(request, corpus_id: int, part: str):
    corpus = visible_corpus(request.user, corpus_id)
    selection, _ = _selection(request, corpus, Basis.PRIMARY)
    uses = selected_uses(selection)
    stem = f"{_stem(corpus)}-seed-uses"
    if part == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return download(spreadsheet.to_xlsx(uses, selection), content_type, f"{stem}.xlsx")
    if part == "papers":
        rows, columns = spreadsheet.paper_rows(uses, selection), spreadsheet.PAPER_COLUMNS
    else:
        rows, columns = spreadsheet.sentence_rows(uses, selection), spreadsheet.SENTENCE_COLUMNS
    content = spreadsheet.to_csv(rows, columns)
    return download(content, "text/csv; charset=utf-8", f"{stem}-{part}.csv")
