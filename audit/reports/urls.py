from django.urls import path, re_path

from audit.reports import views

PAPER = r"^papers/(?P<paper_id>\d+)/"
CORPUS = r"^corpora/(?P<corpus_id>\d+)/"

urlpatterns = [
    path("papers/<int:paper_id>/checklist/", views.checklist_page, name="paper-checklist"),
    re_path(
        PAPER + r"checklist\.(?P<fmt>html|md|json|pdf)$",
        views.checklist_file,
        name="paper-checklist-file",
    ),
    re_path(
        CORPUS + r"checklists-(?P<fmt>html|md|json|pdf)\.zip$",
        views.corpus_checklists,
        name="corpus-checklists",
    ),
    path("corpora/<int:corpus_id>/seed-uses/", views.seed_uses, name="seed-uses"),
    re_path(
        CORPUS + r"seed-uses/table1\.(?P<fmt>csv|md|tex)$", views.table1_file, name="table1-file"
    ),
    re_path(
        CORPUS + r"seed-uses/by-year\.(?P<fmt>svg|png|pdf)$",
        views.usage_chart_file,
        name="usage-chart-file",
    ),
    path(
        "corpora/<int:corpus_id>/seed-uses/spreadsheet.xlsx",
        views.spreadsheet_file,
        {"part": "xlsx"},
        name="spreadsheet-xlsx",
    ),
    path(
        "corpora/<int:corpus_id>/seed-uses/spreadsheet-papers.csv",
        views.spreadsheet_file,
        {"part": "papers"},
        name="spreadsheet-papers",
    ),
    path(
        "corpora/<int:corpus_id>/seed-uses/spreadsheet-sentences.csv",
        views.spreadsheet_file,
        {"part": "sentences"},
        name="spreadsheet-sentences",
    ),
]
