from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit import views
from audit.accounts import LoginView, mail_required, throttle_logins
from audit.compare import views as compare
from audit.rate_limits import rate_limited

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
    path("accounts/login/", throttle_logins(LoginView.as_view()), name="login"),
    path(
        "accounts/password_reset/",
        mail_required(
            rate_limited("password-reset", "SEEDAUDIT_PASSWORD_RESET_RATE")(
                auth_views.PasswordResetView.as_view()
            )
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        mail_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        mail_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        mail_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Before the admin's own login, which would not be throttled.
    path("admin/login/", throttle_logins(admin.site.login)),
    path("admin/", admin.site.urls),
    # Browsers ask for it on pages without the <link> (PDFs, JSON); answer rather than log 404s.
    path("favicon.ico", views.favicon),
]
