"""A server's settings: DEBUG off unless asked, no web server without a secret, HTTPS from the
environment, `check --deploy` clean with README's variables, secrets kept off error pages."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.views.debug import technical_500_response

from tests.conftest import ROOT

# What a shell on a server has: none of the test run's own settings.
LOCAL = (
    "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "DATABASE_URL",
    "CELERY_BROKER_URL",
)  # fmt: skip


def readme_production_variables() -> dict[str, str]:
    """The environment file README's "Deploying" section tells a server to use."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploying") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return dict(
        line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#")
    )


def server_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in LOCAL}
    folders = {name: str(tmp_path / name.lower()) for name in ("SEEDAUDIT_VAR_DIR", "MEDIA_ROOT")}
    return env | variables | folders


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def setting(env: dict[str, str], expression: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    result = run(env, "manage.py", "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


class TestProductionSettings:
    def test_check_deploy_reports_nothing_with_the_variables_readme_documents(self, tmp_path):
        variables = readme_production_variables()
        assert variables["SECRET_KEY"] == ""  # README must not ship a key people could copy
        env = server_env(tmp_path, **variables | {"SECRET_KEY": secrets.token_urlsafe(50)})

        result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip() == "System check identified no issues (0 silenced)."
        assert "WARNING" not in result.stderr

    def test_without_those_variables_check_deploy_names_what_is_missing(self, tmp_path):
        result = run(server_env(tmp_path), "manage.py", "check", "--deploy")

        for warning in ("security.W004", "security.W008", "security.W009", "security.W012"):
            assert warning in result.stderr

    def test_debug_is_off_unless_asked(self, tmp_path):
        assert setting(server_env(tmp_path), "settings.DEBUG") == "False"
        assert setting(server_env(tmp_path, DEBUG="1"), "settings.DEBUG") == "True"

    def test_no_web_server_starts_without_a_secret_key(self, tmp_path):
        gunicorn = ("-m", "gunicorn", "--check-config", "audit.wsgi:application")

        refused = run(server_env(tmp_path), *gunicorn)
        development = run(server_env(tmp_path, DEBUG="1"), *gunicorn)
        production = run(server_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50)), *gunicorn)

        assert refused.returncode != 0
        assert "SECRET_KEY is not set" in refused.stdout + refused.stderr
        assert "DEBUG=1 on a development machine" in refused.stdout + refused.stderr
        assert (development.returncode, production.returncode) == (0, 0)

    def test_https_settings_come_from_the_environment(self, tmp_path):
        env = server_env(
            tmp_path,
            SECURE_SSL_REDIRECT="1",
            SECURE_HSTS_SECONDS="600",
            SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
            CSRF_TRUSTED_ORIGINS="https://audit.example.org, https://www.example.org",
        )

        shown = setting(
            env,
            "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
            "settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
            "settings.SECURE_PROXY_SSL_HEADER, settings.CSRF_TRUSTED_ORIGINS",
        )

        assert shown == (
            "True True True 600 ('HTTP_X_FORWARDED_PROTO', 'https') "
            "['https://audit.example.org', 'https://www.example.org']"
        )


@pytest.mark.django_db
class TestBehindAnHttpsProxy:
    @pytest.fixture(autouse=True)
    def https(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_HSTS_SECONDS = 3600
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    def test_plain_http_is_sent_to_https(self, client):
        response = client.get("/compare/", HTTP_X_FORWARDED_PROTO="http")

        assert response.status_code == 301
        assert response["Location"] == "https://testserver/compare/"

    def test_https_through_the_proxy_is_served_with_hsts(self, client):
        response = client.get("/compare/", HTTP_X_FORWARDED_PROTO="https")

        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=3600"


def error_page(request) -> str:
    """Django's error page for an exception raised here (the frames it shows are this one)."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_error_pages_never_show_broker_or_database_passwords(settings):
    passwords = [secrets.token_hex(8) for _ in range(3)]
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = f"redis://:{passwords[0]}@redis.example.org:6379/0"
    settings.SEEDAUDIT_MIRROR_URL = f"https://user:{passwords[1]}@example.org/x"
    database_url = f"postgresql://seedaudit:{passwords[2]}@db.example.org/seedaudit"

    page = error_page(RequestFactory().get("/", DATABASE_URL=database_url))

    assert "boom" in page and "CELERY_BROKER_URL" in page and "DATABASE_URL" in page
    assert "redis.example.org" not in page  # the whole URL is hidden, host included
    assert "https://********************@example.org/x" in page  # the host stays, to debug
    for password in passwords:
        assert password not in page


def test_the_demo_serves_only_when_debug_was_asked_for(db):
    with pytest.raises(CommandError, match=r"DEBUG=1 python manage.py demo"):
        call_command("demo")
