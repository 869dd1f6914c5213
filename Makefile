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

.PHONY: run serve test lint format check-rules browser-deps storage-deps redis-deps proxy-deps bench clean setup translations-update

setup: $(STAMP)

$(STAMP): requirements-tools.txt requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	# The installer tooling that venv copies from Python itself can be years old and carry
	# known advisories (pip before 23.3, setuptools before 78.1.1): upgrade it first.
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade -r requirements-tools.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(PY) -m wizard rules check
	WIZARD_ENV=development $(PY) -m wizard db upgrade
	WIZARD_ENV=development $(PY) -m wizard run --host $(HOST) --port $(PORT)

# Production mode under gunicorn (gunicorn.conf.py): JSON logs, hashed static files,
# /healthz and /readyz. Needs SECRET_KEY, DATA_KEYS and PUBLIC_HOST (and Redis for more than
# one worker); see docs/deploy.md.
# The schema is brought up to date once here, not by each gunicorn worker.
serve: $(STAMP)
	@WIZARD_ENV=production $(PY) -m wizard serve-check
	$(PY) -m wizard rules check
	WIZARD_ENV=production $(PY) -m wizard db upgrade
	WIZARD_ENV=production HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-rules: $(STAMP)
	$(PY) -m wizard rules check
	$(PY) -m wizard rules safety

browser-deps:
	bash scripts/ensure-browser-deps.sh

# A PostgreSQL server for the storage tests (they also run on SQLite without it).
storage-deps:
	bash scripts/ensure-postgres.sh

# A Redis server for the scale-out tests (two instances sharing PostgreSQL and Redis).
redis-deps:
	bash scripts/ensure-redis.sh

# nginx for the reverse-proxy test (the deployment guide's configuration, run for real).
proxy-deps:
	bash scripts/ensure-nginx.sh

# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
test: $(STAMP) browser-deps storage-deps redis-deps proxy-deps lint check-rules
	$(PY) -m pytest -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "No tests were collected: failing."; exit 1; fi; \
	exit $$status

# Benchmarks (README, Performance): results in bench/results/, summary.md first.
# Installs wrk, Lighthouse, pyinstrument and a locust virtualenv (bench/.venv) if missing.
.PHONY: bench-deps
bench-deps: $(STAMP)
	PY=$(PY) PYTHON=$(PYTHON) bash bench/ensure-tools.sh

bench: bench-deps
	$(PY) -m bench.run

# After editing templates or rules: refresh the template and every catalogue.
# New or changed texts then show up untranslated, and the tests say which.
translations-update: $(STAMP)
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--omit-header -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations \
		--ignore-obsolete --no-fuzzy-matching

clean:
	rm -rf $(VENV) bench/.venv node_modules artifacts .pytest_cache .ruff_cache
