from django.urls import path

from annotator import api, views

app_name = "annotator"

urlpatterns = [
    path("", views.projects, name="projects"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/members/", views.project_members, name="project-members"),
    path("projects/<int:project_id>/overlap/", views.project_overlap, name="project-overlap"),
    path("projects/<int:project_id>/sync/", views.project_sync, name="project-sync"),
    path("projects/<int:project_id>/results/", views.project_results, name="project-results"),
    path("projects/<int:project_id>/session/", views.session, name="session"),
    path("projects/<int:project_id>/adjudicate/", views.adjudication, name="adjudicate"),
    path(
        "projects/<int:project_id>/annotations.jsonl",
        views.export,
        {"fmt": "jsonl"},
        name="export-jsonl",
    ),
    path(
        "projects/<int:project_id>/annotations.csv", views.export, {"fmt": "csv"}, name="export-csv"
    ),
    path("projects/<int:project_id>/import/", views.import_file, name="import"),
    path(
        "projects/<int:project_id>/seed-models/train/",
        views.seed_model_train,
        name="seed-model-train",
    ),
    path(
        "projects/<int:project_id>/seed-models/<int:version_id>/default/",
        views.seed_model_default,
        name="seed-model-default",
    ),
    path("projects/<int:project_id>/api/next/", api.next_items, name="api-next"),
    path("projects/<int:project_id>/api/label/", api.label, name="api-label"),
    path("projects/<int:project_id>/api/undo/", api.undo, name="api-undo"),
    path("projects/<int:project_id>/api/skip/", api.skip, name="api-skip"),
    path("projects/<int:project_id>/api/paper/", api.primary, name="api-paper"),
    path(
        "projects/<int:project_id>/api/items/<int:item_id>/final/",
        api.adjudicate,
        name="api-adjudicate",
    ),
    path(
        "projects/<int:project_id>/api/papers/<int:paper_id>/final/",
        api.decide_paper,
        name="api-decide-paper",
    ),
]
