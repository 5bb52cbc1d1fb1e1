# `make demo`: set up and run seedaudit with demo data. `make test`: set up and run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/seedaudit
REDIS_URL ?= redis://127.0.0.1:6379/14
# PDFium's per-character calls looped in C (audit/ingest/pdfium_calls.py); optional.
PDFIUM_BULK := audit/ingest/pdfium_bulk.so

.PHONY: setup demo test test-sqlite test-postgres lint chromium

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# Without a C compiler the loops run in Python: the same results, ingestion a quarter slower.
$(PDFIUM_BULK): audit/ingest/pdfium_bulk.c
	@if command -v $(CC) >/dev/null 2>&1; then $(CC) -O2 -shared -fPIC -o $@ $<; \
	else echo "no C compiler ($(CC)): PDFium's per-character calls will loop in Python"; fi

setup: $(STAMP) $(PDFIUM_BULK)

# Django's development server, which serves the static files itself: DEBUG on, asked for here.
demo: setup
	DEBUG=1 $(BIN)/python manage.py demo

# Browser tests drive Debian's chromium; install it when we may (CI runs as root).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium fonts-dejavu-core; \
	  else echo "chromium is not installed: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: setup chromium
	$(BIN)/python -m pytest

# The same suite on PostgreSQL, with Celery on Redis; skipped (or, with REQUIRE_SERVICES=1,
# failed) when the servers are not running.
test-postgres: setup
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3)" 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(BIN)/python -m pytest -m "not browser"; \
	elif [ -n "$$REQUIRE_SERVICES" ]; then echo "PostgreSQL is not reachable at $(PG_URL)"; exit 1; \
	else echo "PostgreSQL is not reachable at $(PG_URL): skipped the PostgreSQL pass"; fi

test: lint test-sqlite test-postgres
