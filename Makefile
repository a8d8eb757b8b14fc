# The single entry point. `make help` lists the targets; CI runs `make test` through .ci/run.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Two cores here: one pytest-xdist worker (and one browser) per core.
TEST_WORKERS ?= auto
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
export PYTHONDONTWRITEBYTECODE := 1

# The production-like environment `check --deploy` runs under.
DEPLOY_ENV := DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=charter.example.org \
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')

.PHONY: help setup system-packages run test lint format checks pytest chromium bench db-stop clean \
	backup restore

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/.built: node_modules/.installed $(wildcard static/scss/*.scss static/js/* static/scripts/*)
	npm run --silent build
	@touch $@

# Apps' own static files (e.g. core/static/core/) count too: a file missing from the manifest is a 500.
staticfiles/staticfiles.json: static/dist/.built $(VENV)/.synced $(wildcard static/images/*) $(wildcard */static/*/*)
	$(MANAGE) collectstatic --noinput --verbosity 0

# WeasyPrint (balance sheet PDFs) loads Pango from the system.
system-packages: ## Install the system libraries WeasyPrint needs when they are missing
	@ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi liberation || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation >/dev/null; }

setup: system-packages $(VENV)/.synced staticfiles/staticfiles.json ## Install everything and migrate the database
	$(MANAGE) migrate --noinput --verbosity 0

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			chromium fonts-liberation >/dev/null; }

# A worker for queue $(1), started again 5 s after it stops, in the background.
supervised_worker = ( trap 'kill $$worker 2>/dev/null; exit 0' TERM; \
	while :; do \
	  $(MANAGE) worker --queue-name $(1) & worker=$$!; wait $$worker || true; \
	  echo "The $(1) worker stopped; starting it again in 5 s." >&2; sleep 5 & wait $$!; \
	done ) &

# Links in emails point at the server `make run` starts, whatever its PORT (unless set).
RUN_SITE_URL = $(or $(CHARTER_SITE_URL),http://$(HOST):$(PORT))
run: setup ## Serve the portal with demo data on http://127.0.0.1:8000 (and the background workers)
	CHARTER_SITE_URL=$(RUN_SITE_URL) $(MANAGE) seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop). Emails go to var/mail/."
	@# One worker per queue (emails; spend imports). Each rides out database outages itself;
	@# should one die anyway, it is started again.
	export CHARTER_SITE_URL=$(RUN_SITE_URL); \
	$(call supervised_worker,default) emails=$$!; \
	$(call supervised_worker,spend) spend=$$!; \
	trap 'kill $$emails $$spend 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(VENV)/.synced ## ruff, the layer contracts (lint-imports) and mypy on services and selectors
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: $(VENV)/.synced ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

checks: setup ## makemigrations --check, and check --deploy under production settings
	$(MANAGE) makemigrations --check --dry-run
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

# The reused test database is rebuilt whenever a migration changes.
MIGRATIONS_HASH = $(shell cat */migrations/*.py | sha256sum | cut -c1-16)
pytest: setup chromium
	@mkdir -p var
	@if [ "$$(cat var/test-db-migrations 2>/dev/null)" != "$(MIGRATIONS_HASH)" ]; then \
		create_db=--create-db; else create_db=; fi; \
	$(PY) -m pytest -n $(TEST_WORKERS) $$create_db $(PYTEST_ARGS) && \
	echo "$(MIGRATIONS_HASH)" > var/test-db-migrations

test: lint checks pytest ## Lint, check and run the whole test suite (browser tests included)

bench: setup ## Benchmarks: spend import rate against a plain COPY, peak memory (SPEND_BENCH_ROWS)
	$(PY) -m pytest tests/bench -q -p no:xdist -s

# No `setup` first: its migrate would make the target of a restore non-empty.
backup: $(VENV)/.synced ## Back up the database with pg_dump into var/backups/ (timestamped)
	$(MANAGE) backup

restore: $(VENV)/.synced ## Restore FILE=var/backups/... into an empty database [DATABASE=name] [FORCE=1]
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/<name>.dump [DATABASE=name] [FORCE=1]" >&2; exit 2; }
	$(MANAGE) restore "$(FILE)" $(if $(DATABASE),--database "$(DATABASE)") $(if $(FORCE),--force)

db-stop: ## Stop the embedded PostgreSQL server
	$(PY) -c 'from pathlib import Path; from charter_portal.embedded_db import embedded_server_stop; embedded_server_stop(Path("var"))'

clean: ## Remove what make built (keeps the database under var/)
	rm -rf .uv $(VENV) node_modules static/dist staticfiles
