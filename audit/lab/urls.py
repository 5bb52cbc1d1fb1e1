from django.urls import path

from audit.lab import views

app_name = "lab"

urlpatterns = [
    path("sentences/<int:sentence_id>/test/", views.claim_new, name="claim-new"),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("claims/<int:claim_id>/status.json", views.claim_status, name="claim-status"),
    path("claims/<int:claim_id>/cancel/", views.claim_cancel, name="claim-cancel"),
    path("claims/<int:claim_id>/report.json", views.claim_report_json, name="report-json"),
    path("claims/<int:claim_id>/report.pdf", views.claim_report_pdf, name="report-pdf"),
    path(
        "claims/<int:claim_id>/charts/<slug:name>.<str:fmt>",
        views.claim_chart,
        name="report-chart",
    ),
]
