# Ponte: `make run` and `make test` each do all their own set-up from a clean clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/ponte
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create .venv with the pinned dependencies

locale/it/LC_MESSAGES/django.mo: locale/it/LC_MESSAGES/django.po $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=var >/dev/null

.PHONY: messages
messages: venv ## Extract translatable strings into locale/*/django.po
	$(MANAGE) makemessages -l it -l en --ignore=.venv --ignore=var --no-obsolete

.PHONY: compilemessages
compilemessages: locale/it/LC_MESSAGES/django.mo

.PHONY: run
run: venv compilemessages ## Migrate the embedded SQLite database, load demo data, serve on :8000 with a task worker
	$(MANAGE) migrate --noinput
	$(MANAGE) load_vocabulary
	$(MANAGE) load_instruments
	$(MANAGE) seed_demo
	$(MANAGE) load_programmes
	@echo "Ponte on http://127.0.0.1:$(PORT)/ (demo password: $${PONTE_DEMO_PASSWORD:-ponte-demo})"
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker & \
	  $(MANAGE) runserver 127.0.0.1:$(PORT) --noreload

.PHONY: test
test: venv compilemessages ## Run the whole suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

.PHONY: test-pg
test-pg: venv compilemessages ## Run the suite on the local PostgreSQL
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# pytest exits 5 when it collects nothing: that is a failure when browser tests exist (a lost marker,
# a broken conftest), and fine only in a tree that has none.
.PHONY: test-browser
test-browser: venv compilemessages ## Run the browser tests in Debian's chromium (BROWSER_DATABASE_URL=postgres://… for PostgreSQL)
	@rc=0; $(PY) -m pytest -m browser $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  if ls browser_tests/test_*.py >/dev/null 2>&1; then \
	    echo "pytest collected no browser test, but browser_tests/test_*.py exist"; \
	  else echo "no browser tests"; rc=0; fi; \
	fi; \
	exit $$rc

.PHONY: test-browser-pg
test-browser-pg: ## The browser tests with the server on a fresh PostgreSQL database (made and dropped on PG_URL's server)
	BROWSER_DATABASE_URL=$(PG_URL) $(MAKE) test-browser

.PHONY: lint
lint: lint-code lint-schema ## ruff, Django's checks, missing migrations, schema drift

.PHONY: lint-code
lint-code: venv ## ruff, Django's checks, missing migrations (lint without the schema)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

.PHONY: lint-schema
lint-schema: venv ## openapi.yaml is what the code generates
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular --file /tmp/ponte-openapi.yaml --validate --fail-on-warn
	diff -u openapi.yaml /tmp/ponte-openapi.yaml

.PHONY: schema
schema: venv ## Regenerate openapi.yaml from the code
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular --file openapi.yaml --validate --fail-on-warn

.PHONY: bench
bench: venv compilemessages ## Page benchmark on 100,000 persons (PostgreSQL with DATABASE_URL, else SQLite)
	$(PY) bench/run.py $(BENCH_ARGS)

.PHONY: bench-dashboard
bench-dashboard: venv compilemessages ## Programme pages over 300,000 paths and 2,000,000 activities, against DuckDB (PostgreSQL)
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) bench/dashboard.py $(BENCH_ARGS)

.PHONY: import
import: venv ## Preview a legacy persons file (FILE=… AS=username); add COMMIT=1 to import it (docs/import.md)
	@test -n "$(FILE)" -a -n "$(AS)" || { echo "usage: make import FILE=persons.csv AS=coordinatore.sacco [COMMIT=1]"; exit 2; }
	$(MANAGE) import_legacy persons "$(FILE)" --user "$(AS)" $(if $(COMMIT),--commit,)

.PHONY: clean
clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var
