# Two commands for a new machine: `make run` and `make test`.
# `make run` is the only place that asks for development mode (WIZARD_ENV=development);
# everything else runs as production unless told otherwise.
# Each sets itself up: a virtualenv with pinned packages, and for the tests
# Debian's Chromium and the HTML checker.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-tools.txt requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help run serve test test-quick lint format check-rules browser-deps storage-deps redis-deps proxy-deps bench clean setup translations-update

setup: $(STAMP) ## create the virtualenv with the pinned packages

$(STAMP): requirements-tools.txt requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	# The installer tooling that venv copies from Python itself can be years old and carry
	# known advisories (pip before 23.3, setuptools before 78.1.1): upgrade it first.
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade -r requirements-tools.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP) ## serve the wizard in development mode on http://127.0.0.1:5000 (HOST, PORT)
	$(PY) -m wizard rules check
	WIZARD_ENV=development $(PY) -m wizard db upgrade
	# The fictional example directory, labelled as such on every page; it refuses (and the
	# run goes on) where an operator's real directory has been imported.
	-WIZARD_ENV=development $(PY) -m wizard directory demo
	WIZARD_ENV=development $(PY) -m wizard run --host $(HOST) --port $(PORT)

# Production mode under gunicorn (gunicorn.conf.py): JSON logs, hashed static files,
# /healthz and /readyz. Needs SECRET_KEY, DATA_KEYS and PUBLIC_HOST (and Redis for more than
# one worker); see docs/deploy.md.
# The schema is brought up to date once here, not by each gunicorn worker.
serve: $(STAMP) ## production mode under gunicorn (needs SECRET_KEY, DATA_KEYS, PUBLIC_HOST)
	@WIZARD_ENV=production $(PY) -m wizard serve-check
	$(PY) -m wizard rules check
	WIZARD_ENV=production $(PY) -m wizard db upgrade
	WIZARD_ENV=production HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py

lint: $(STAMP) ## ruff checks, the formatting check and the layering contracts (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: $(STAMP) ## ruff formats and fixes what it can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-rules: $(STAMP) ## validate rules/ and prove the safety invariants
	$(PY) -m wizard rules check
	$(PY) -m wizard rules safety

browser-deps: ## install Debian's Chromium, Java, the Nu Html Checker and Spectral if missing
	bash scripts/ensure-browser-deps.sh

# A PostgreSQL server for the storage tests (they also run on SQLite without it).
storage-deps: ## install PostgreSQL for the storage tests if missing
	bash scripts/ensure-postgres.sh

# A Redis server for the scale-out tests (two instances sharing PostgreSQL and Redis).
redis-deps: ## install Redis for the scale-out tests if missing
	bash scripts/ensure-redis.sh

# nginx for the reverse-proxy test (the deployment guide's configuration, run for real).
proxy-deps: ## install nginx for the reverse-proxy test if missing
	bash scripts/ensure-nginx.sh

# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
# Tests run in parallel, one worker per core (pytest-xdist): the storage tests start their own
# PostgreSQL and Redis per worker and every server listens on a free port of its own.
PYTEST := $(PY) -m pytest -p no:cacheprovider -n auto
# Open Referral's published HSDS 3.0 schemas and examples, which the directory tests validate
# files and API responses against. Not shipped with the project: kept beside the checkout.
export HSDS_REFERENCE_DIR ?= $(abspath ../shared/reference/hsds-3.0)
define run_pytest
	$(PYTEST) $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "No tests were collected: failing."; exit 1; fi; \
	exit $$status
endef

test: $(STAMP) browser-deps storage-deps redis-deps proxy-deps lint check-rules ## set up, lint, check the rules and run every test
	$(call run_pytest,)

# The daily loop: no browser and no servers (tests/system, and the storage tests' PostgreSQL runs, are left out).
# The HTML checker still needs Java and the Nu Html Checker, which browser-deps installs once.
test-quick: $(STAMP) browser-deps ## every test but the browser and real-server ones, in parallel
	$(call run_pytest,-m "not browser" -k "not postgresql" tests --ignore=tests/browser --ignore=tests/system)

# Benchmarks (README, Performance): results in bench/results/, summary.md first.
# Installs wrk, Lighthouse and pyinstrument if missing.
.PHONY: bench-deps
bench-deps: $(STAMP) ## install wrk, Lighthouse and pyinstrument if missing
	PY=$(PY) PYTHON=$(PYTHON) bash bench/ensure-tools.sh

bench: bench-deps ## run the benchmarks; summary in bench/results/summary.md
	$(PY) -m bench.run

# After editing templates or rules: refresh the template and every catalogue.
# New or changed texts then show up untranslated, and the tests say which.
translations-update: $(STAMP) ## refresh the message template and every catalogue
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--omit-header -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations \
		--ignore-obsolete --no-fuzzy-matching

clean: ## remove the virtualenvs, node_modules, artifacts and caches
	rm -rf $(VENV) bench/.venv node_modules artifacts .pytest_cache .ruff_cache

# Every target with a `## ` comment, and what it does.
help: ## list the make targets
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-20s %s\n", $$1, $$2}'
