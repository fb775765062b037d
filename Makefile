# The two commands of README.md: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local development defaults; production sets its own environment (see README).
DEV_ENV := DEBUG=1
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: run test install icons lint format check messages bench load lighthouse e2e clean bundle bundle-check

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install the pinned front-end packages"; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed icons static/build/bootstrap.css

# The SVG sprite of the Bootstrap icons in use, static/build/icons.svg (deploy/build_icons.py,
# docs/performance.md "Light pages"): rebuilt from the sources at every install, committed so
# that a clean clone has it; a test fails if it is stale.
icons: node_modules/.installed
	$(PY) deploy/build_icons.py

# Bootstrap's CSS from its Sass sources with only the components the pages use
# (static/scss/bootstrap.scss, docs/performance.md "Light pages"); built, not committed.
SASS := node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
	--quiet-deps --silence-deprecation=import
static/build/bootstrap.css: static/scss/bootstrap.scss node_modules/.installed
	$(SASS) static/scss/bootstrap.scss $@

run: install
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) seed_demo
	$(DEV_ENV) $(MANAGE) run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

# Regenerate the translation catalogues after changing user-facing strings.
messages: install
	$(DEV_ENV) $(MANAGE) makemessages --locale vi --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --no-obsolete
	$(DEV_ENV) $(MANAGE) compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

# Scoring and page benchmarks on their own database, thidua_bench (never the development
# one); see docs/performance.md. BENCH_DATABASE_URL picks another server; BENCH_ARGS go to
# bench.scoring (--reseed starts over), PAGES_ARGS to bench.pages (--repeat N), REPORTS_ARGS
# to bench.reports (--repeat N, --export-runs N), IMPORT_ARGS to bench.table_import
# (--repeat N: the 200-row score table workbook), EDITOR_ARGS to bench.editor (--repeat N: one
# change in a 200-criterion draft through the score table editor), COPY_ARGS to
# bench.year_copy (--repeat N: a province's year copied completely).
bench: install
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.scoring $(BENCH_ARGS)
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.pages $(PAGES_ARGS)
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.reports $(REPORTS_ARGS)
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.editor $(EDITOR_ARGS)
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.table_import $(IMPORT_ARGS)
	DEBUG=0 SECRET_KEY=bench-only $(PY) -m bench.year_copy $(COPY_ARGS)

# A deadline day under load (bench/load/run.py, docs/performance.md "Under load"): its own
# PostgreSQL database (thidua_load, recreated), two gunicorn servers behind nginx on
# 127.0.0.1, locust headless, one server stopped halfway, then the checks (no accepted save
# lost, refusals 409/422, no 500). LOAD_USERS (30), LOAD_DURATION (3m), LOAD_SPAWN_RATE (5),
# LOAD_CLUSTERS (10 a province), LOAD_WORKERS (2 a server), LOAD_STOP_SIGNAL (KILL or TERM),
# LOAD_DATABASE_URL, LOAD_REDIS_URL (sessions in Redis). Not part of `make test`.
load: install
	$(PY) -m bench.load.run

# Lighthouse on the five main pages against gunicorn with DEBUG off (bench/lighthouse.py,
# docs/performance.md "Light pages"): its own PostgreSQL database (thidua_lighthouse, seeded
# with the demo once), Lighthouse from the npm devDependencies, Chromium from the system.
# LIGHTHOUSE_ARGS to bench.lighthouse (--reseed starts over). Not part of `make test`.
lighthouse: install
	$(PY) -m bench.lighthouse $(LIGHTHOUSE_ARGS)

# The offline install bundle (docs/deploy.md): dist/thidua-<version>-offline.tar.gz, built
# from HEAD with a wheelhouse for CPython 3.11 on Linux x86_64 and the collected static files.
bundle: install
	bash deploy/bundle/build.sh

# CI: the bundle installed into an empty folder without pip indexes or npm, upgraded in
# place, served by gunicorn with the worker; /healthz, /readyz and the login page answer.
bundle-check: bundle
	bash deploy/bundle/check.sh

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache dist
