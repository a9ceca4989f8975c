# Two commands: `make run` serves the site with the reference data, `make test` runs the suite.
# Both create .venv and install what they need, so they work from a fresh clone.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
FIXTURES := $(sort $(wildcard fixtures/*.json))

.PHONY: run test install install-dev static migrate load-fixtures lint format clean screenshots bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-dev: $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"

# GOV.UK Frontend and Chart.js from npm, compiled and copied into static/vendor (not
# committed). npm ci runs again only when package-lock.json changes.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

static: node_modules/.package-lock.json
	npm run --silent build

# After every migrate (docs/operations.md): the roles get any new model's permissions, and
# the stored figures are rebuilt (seconds on the reference data).
migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_roles --verbosity=0
	$(PY) manage.py rebuild_figures --verbosity=0

load-fixtures: migrate
	$(PY) manage.py load_reference_data $(FIXTURES)

# DEBUG defaults on for the local server only; production sets DEBUG=false and SECRET_KEY.
run: export DEBUG ?= true
run: load-fixtures static
	$(PY) manage.py export_dataset --if-none
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev static
	$(PY) -m pytest $(PYTEST_ARGS)

# docs/screenshots/*.png: the reference data served from a throwaway SQLite file and
# shot with Debian's chromium at 1280 and 320 px (scripts/screenshots.py).
screenshots: install-dev static
	$(PY) scripts/screenshots.py

# The benchmark (bench/run.py, docs/benchmarks.md): PostgreSQL on 127.0.0.1:5432 and
# Debian's wrk. Builds the small and large datasets when missing (about 6 minutes), runs
# gunicorn with production settings on port 8070 and writes docs/benchmarks.md.
bench: $(PY) static
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles static/vendor node_modules db.sqlite3 .pytest_cache
