from django.contrib import admin
from django.urls import include, path

from audit import views
from audit.compare import views as compare

urlpatterns = [
    path("", views.home, name="home"),
    path("corpora/new/", views.corpus_create, name="corpus-create"),
    path("corpora/<int:corpus_id>/", views.corpus_detail, name="corpus"),
    path("corpora/<int:corpus_id>/upload/", views.corpus_upload, name="corpus-upload"),
    path("corpora/<int:corpus_id>/status.json", views.corpus_status, name="corpus-status"),
    path("papers/<int:paper_id>/", views.paper_detail, name="paper"),
    path("papers/<int:paper_id>/metadata/", views.paper_metadata, name="paper-metadata"),
    path("papers/<int:paper_id>/reprocess/", views.paper_reprocess, name="paper-reprocess"),
    path("papers/<int:paper_id>/delete/", views.paper_delete, name="paper-delete"),
    path("papers/<int:paper_id>/pdf/", views.paper_pdf, name="paper-pdf"),
    path("", include("audit.reports.urls")),
    path("compare/", compare.compare, name="compare"),
    path("compare/report.json", compare.compare_json, name="compare-json"),
    path("compare/report.pdf", compare.compare_pdf, name="compare-pdf"),
    path("annotate/", include("annotator.urls")),
    path("lab/", include("audit.lab.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for it on pages without the <link> (PDFs, JSON); answer rather than log 404s.
    path("favicon.ico", views.favicon),
]
