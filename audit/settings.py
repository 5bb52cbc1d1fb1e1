"""Settings for seedaudit, read from the environment with embedded defaults.

With no environment but `DEBUG=1` the app runs on SQLite and a Celery filesystem broker under
`var/`, so nothing has to be installed; `DATABASE_URL` and `CELERY_BROKER_URL` point it at
PostgreSQL and Redis instead. With DEBUG off (the default) it needs a `SECRET_KEY`; README's
"Deploying" lists what a production server sets.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A test run: pytest sets PYTEST_VERSION, and the workers and commands it starts inherit it.
TESTING = "PYTEST_VERSION" in os.environ
# Runtime data: the SQLite database, uploads and the filesystem broker's folders. A test run
# keeps its own.
_DEFAULT_VAR = BASE_DIR / "var" / ("test" if TESTING else "")
VAR_DIR = Path(os.environ.get("SEEDAUDIT_VAR_DIR", _DEFAULT_VAR))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# Without SECRET_KEY and DEBUG off it stays empty: Django then refuses whatever would sign with
# it, and no web server starts (audit/wsgi.py); commands that sign nothing (migrate, ingest) run.
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-not-secret-change-me-in-production" if DEBUG or TESTING else ""
)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Origins (https://audit.example.org) that may POST besides the site's own host.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# HTTPS. Behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER names the header it sets
# (X-Forwarded-Proto, with "https"); only set it when the proxy overwrites that header.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
if _proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
# Error pages with DEBUG on list the settings and the environment: broker and database URLs,
# which hold passwords, are hidden there as keys and secrets are.
DEFAULT_EXCEPTION_REPORTER_FILTER = "audit.error_reports.SecretsFilter"

# Mail, for password resets: offered only when mail can be sent (EMAIL_HOST, or an
# EMAIL_BACKEND such as django.core.mail.backends.console.EmailBackend on a development machine).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "seedaudit@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SEEDAUDIT_PASSWORD_RESET = bool(EMAIL_HOST) or "EMAIL_BACKEND" in os.environ

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "audit",
    "annotator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audit.text.refuse_nul_in_query",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "audit.urls"
WSGI_APPLICATION = "audit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'seedaudit.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker process started by the tests sees the test
    # database; WAL and a busy timeout let the web process and the worker write side by side.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-seedaudit.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# A cache shared by every web process (Redis, e.g. redis://127.0.0.1:6379/1). With it, the
# session every request carries is read from the cache instead of the database, and written to
# both: a logout or a flushed session ends it in every process at once. The site then needs the
# cache up to serve a page. Without it each process caches for itself, and sessions are read
# from the database.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: one PDF may be this large; a zip may expand to at most this much in all.
SEEDAUDIT_MAX_PDF_MB = envint("SEEDAUDIT_MAX_PDF_MB", 50)
SEEDAUDIT_MAX_ZIP_MB = envint("SEEDAUDIT_MAX_ZIP_MB", 1024)
SEEDAUDIT_MAX_PAGES = envint("SEEDAUDIT_MAX_PAGES", 300)
# How often a task working on a paper or an experiment reports that it is alive; unfinished
# work silent for eight beats is queued again by the workers' sweep (audit.sweep), which runs
# once a beat and also stops a worker taking tasks while the database is unreachable.
SEEDAUDIT_HEARTBEAT_SECONDS = float(os.environ.get("SEEDAUDIT_HEARTBEAT_SECONDS", 15))
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Rate limits, as "N/period" (s, m, h or d; "30/10m" is 30 per 10 minutes, at most a day): POSTs
# to the public comparison and password reset mails asked for per client, failed logins per
# account and per client address. Behind a proxy, the client's address is the last one in the
# header it sets (X-Forwarded-For).
SEEDAUDIT_COMPARE_RATE = os.environ.get("SEEDAUDIT_COMPARE_RATE", "30/10m")
SEEDAUDIT_LOGIN_FAILURES_PER_USER = os.environ.get("SEEDAUDIT_LOGIN_FAILURES_PER_USER", "5/15m")
SEEDAUDIT_LOGIN_FAILURES_PER_ADDRESS = os.environ.get(
    "SEEDAUDIT_LOGIN_FAILURES_PER_ADDRESS", "20/15m"
)
SEEDAUDIT_PASSWORD_RESET_RATE = os.environ.get("SEEDAUDIT_PASSWORD_RESET_RATE", "5/h")
SEEDAUDIT_CLIENT_IP_HEADER = os.environ.get("SEEDAUDIT_CLIENT_IP_HEADER", "")

# A trained spaCy pipeline name (e.g. "en_core_web_sm") if one is installed; blank English
# with a sentencizer tuned for scientific text otherwise.
SPACY_MODEL = os.environ.get("SPACY_MODEL", "")

# A sentence is highlighted when a seed pattern matches it or the seed-use model's probability
# reaches this: low, for recall (a false alarm costs an annotator one key, a miss costs the audit).
SEEDAUDIT_SEED_THRESHOLD = float(os.environ.get("SEEDAUDIT_SEED_THRESHOLD", 0.3))

# Every this many labels given in a project, the seed-use model is retrained on its final labels
# (0: never).
SEEDAUDIT_RETRAIN_EVERY = envint("SEEDAUDIT_RETRAIN_EVERY", 100)

# The lab's own setups, as dotted paths to audit.lab.setups.base.Setup subclasses (comma-separated
# in the environment), besides the built-in ones.
SEEDAUDIT_LAB_SETUPS = [p for p in os.environ.get("SEEDAUDIT_LAB_SETUPS", "").split(",") if p]
# The most models one claim from the paper page may train (four per run per setup).
SEEDAUDIT_MAX_CLAIM_RUNS = envint("SEEDAUDIT_MAX_CLAIM_RUNS", 512)

# Named host: kombu warns "No hostname was supplied" on every connection to a bare
# "filesystem://" (the host means nothing to this transport).
DEFAULT_BROKER_URL = "filesystem://localhost/"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)


def broker_transport_options(broker_url: str) -> dict:
    if broker_url.startswith("filesystem"):
        folders = VAR_DIR / "broker"
        return {
            "data_folder_in": str(folders / "queue"),
            "data_folder_out": str(folders / "queue"),
            "processed_folder": str(folders / "processed"),
            "control_folder": str(folders / "control"),
            "store_processed": False,
            # The transport polls its folder for messages, once a second by default: a lab
            # claim hands work on about ten times, and listing a folder is cheap.
            "polling_interval": 0.1,
        }
    return {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"audit.lab.*": {"queue": "lab"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
