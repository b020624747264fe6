# Sapling: the two commands a newcomer needs are `make run` and `make test`.
# Everything installs into .venv (Python) and node_modules (axe-core for the accessibility tests);
# Lighthouse, for make lighthouse only, into tools/lighthouse/node_modules.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails (email confirmation, exports) and passkeys follow the address make serves
# on, unless BASE_URL is set (in the environment, or as in make run BASE_URL=...).
ifeq ($(strip $(BASE_URL)),)
BASE_URL = http://$(HOST):$(PORT)
endif
DEV_ENV := SAPLING_ENV=development BASE_URL='$(BASE_URL)'
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help run dev flask test test-fast lint fmt clean migrate icons screenshots lighthouse bench bench-outage bench-media profile bench-tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Sapling needs Python 3.11 or newer (set PYTHON=...).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility (axe) tests will be skipped."; \
	fi

run: $(VENV)/.installed ## Install, migrate the local SQLite database, serve http://127.0.0.1:8000 (PORT=...) with the worker
	$(DEV_ENV) $(BIN)/flask db upgrade
	$(BIN)/python -m app.views.asset_build
	$(DEV_ENV) exec $(BIN)/python -m scripts.run_local --host $(HOST) --port $(PORT)

dev: $(VENV)/.installed ## Flask's debug server with reload
	$(DEV_ENV) $(BIN)/flask db upgrade
	$(DEV_ENV) $(BIN)/flask run --debug --host $(HOST) --port $(PORT)

flask: $(VENV)/.installed ## A flask command on the local site: make flask ARGS="users list"
	$(DEV_ENV) $(BIN)/flask $(ARGS)

# pytest-xdist: one worker per core (PYTEST_WORKERS=0 runs in this process). Each worker has
# its own throwaway databases, live site, Chromium and nginx; a test file stays on one worker.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

test: $(VENV)/.installed-dev node_modules/.installed ## The whole suite (PostgreSQL, Redis and Chromium when present)
	$(BIN)/python -m pytest $(PARALLEL) --cov --cov-report=term $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev ## The suite without Chromium, nginx or coverage: quick, before a commit
	$(BIN)/python -m pytest $(PARALLEL) -q --no-cov -m "not browser and not nginx" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff check, ruff format --check, mypy --strict app, bandit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict app
	$(BIN)/bandit -c pyproject.toml -q -ll -r app scripts deploy wsgi.py

fmt: $(VENV)/.installed-dev ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(VENV)/.installed ## Apply the migrations to the database (DATABASE_URL, or local SQLite)
	$(DEV_ENV) $(BIN)/flask db upgrade

icons: $(VENV)/.installed-dev ## Render the PNG icons from the brand SVGs with Chromium
	$(BIN)/python -m scripts.make_icons

screenshots: $(VENV)/.installed-dev ## Screenshots of the main pages, light and dark, desktop and mobile (ONLY="post login": just those)
	$(BIN)/python -m scripts.screenshots $(ONLY)

tools/lighthouse/node_modules/.installed: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	@# npm install, not npm ci: a Lighthouse dependency asks for third-party-web@"latest",
	@# which npm ci takes as a lock out of step whenever a newer one is published.
	npm install --prefix tools/lighthouse --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: $(VENV)/.installed-dev tools/lighthouse/node_modules/.installed ## Lighthouse's performance audit of the landing page, offline (LIGHTHOUSE_ARGS="--path /login")
	$(BIN)/python -m scripts.lighthouse $(LIGHTHOUSE_ARGS)

bench: $(VENV)/.installed-dev bench-tools ## Load-test production settings on PostgreSQL+Redis (docs/performance.md)
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)

profile: $(VENV)/.installed-dev bench-tools ## py-spy flame graph of the feed under load, in bench/results/
	$(BIN)/python -m scripts.bench.profile $(PROFILE_ARGS)

bench-outage: $(VENV)/.installed-dev ## What a frozen Redis costs a page, through the breaker
	$(BIN)/python -m scripts.bench.outage

bench-media: $(VENV)/.installed-dev ## A private photo from S3: streamed by nginx vs a presigned redirect
	$(BIN)/python -m scripts.bench.media_s3 $(BENCH_ARGS)

bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing wrk (Debian package) ..."; \
		$(SUDO) apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }; \
	}

clean: ## Remove caches and test output (keeps .venv and instance/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache htmlcov .coverage .coverage.* coverage.xml test-results
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +
