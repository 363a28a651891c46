# factcheck: `make run` starts everything, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := factcheck.settings

.PHONY: run test fuzz screenshots lint format check-deps bench bench-api bench-admin bench-site \
	bench-export bench-imports cluster stop-db clean

# (Re)install when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

# axe-core for the browser tests' accessibility checks (package.json), where npm exists.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests' accessibility checks will fail"; fi

run: $(VENV)/.installed
	$(BIN)/python -m factcheck.launch

# DATABASE_URL set: that server; unset: the embedded PostgreSQL under var/ (started if needed),
# in a database of the tests' own. Tasks go through a broker folder of their own, never the
# running instance's var/broker.
LOCAL_DATABASE = DATABASE_URL=$${DATABASE_URL:-$$($(BIN)/python -m factcheck.localenv database-url)}
test: $(VENV)/.installed node_modules/.package-lock.json
	rm -rf var/test-broker
	$(LOCAL_DATABASE) SECRET_KEY=$${SECRET_KEY:-test-only-secret} \
	  CELERY_BROKER_FOLDER=$(CURDIR)/var/test-broker $(BIN)/python -m pytest $(PYTEST_ARGS)

# Schemathesis deeper than `make test`'s 15 generated requests per API operation (CI runs it),
# with the hand-picked hostile values of every query parameter and body field beside it.
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(MAKE) test \
	  PYTEST_ARGS="tests/api/test_schema_fuzz.py tests/api/test_hostile_params.py -q"

# The browser tests again, keeping their screenshots in docs/screenshots for the docs.
screenshots: $(VENV)/.installed
	$(MAKE) test PYTEST_ARGS="tests/e2e" SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots

# mypy's Django plugin imports the settings, which need a database URL and a secret key; nothing
# connects, so placeholders stand in when they are unset.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgresql://localhost/lint} \
	  SECRET_KEY=$${SECRET_KEY:-lint-only-secret} $(BIN)/mypy

# requirements.txt alone, in a fresh virtualenv of the machine's own python3 and pip: every app
# module imports and `manage.py check` passes (about 4 minutes, most of it downloading).
check-deps:
	.ci/check-deps

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_import.py

# The public API under gunicorn + wrk against a raw floor; DATABASE_URL must name a scratch
# database (filled with generate_demo_data when it has fewer published verdicts than asked).
bench-api: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_api.py $(BENCH_ARGS)

# The admin claim list at 1,000,000 claims (tops the database up with generate_demo_data).
bench-admin: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python manage.py migrate --no-input -v0
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_admin_list.py $(BENCH_ARGS)

# The public site's pages at 1,000,000 claims (tops the database up with generate_demo_data).
bench-site: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python manage.py migrate --no-input -v0
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_site.py $(BENCH_ARGS)

# A CSV export of every public verdict through the export job and a real worker (tops the
# database up to 400,000 published verdicts with generate_demo_data).
bench-export: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python manage.py migrate --no-input -v0
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_export.py $(BENCH_ARGS)

# Scheduled imports: LIAR rows/s and a 50 MB folder with one and two real workers.
bench-imports: $(VENV)/.installed
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret} $(BIN)/python bench/bench_imports.py $(BENCH_ARGS)

# A cluster of network namespaces on this machine (root): PostgreSQL with a replica, Redis, two
# web hosts behind a proxy, two worker hosts and beat; a worker host lost mid-import, the replica
# stopped under reads; all removed at the end (docs/operations.md, "A cluster on one machine").
cluster: $(VENV)/.installed
	$(BIN)/python ops/cluster.py $(CLUSTER_ARGS)

# Stop the embedded PostgreSQL that `make test` or a manage.py command left running.
stop-db: $(VENV)/.installed
	$(BIN)/python -m factcheck.embedded stop

clean: stop-db
	rm -rf $(VENV) var
