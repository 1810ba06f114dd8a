# `make run` serves the API on the embedded SQLite default; `make test` checks the code (ruff, mypy,
# import-linter), lints the OpenAPI document, runs the whole suite on SQLite and again on PostgreSQL
# (in parallel, one process a core, each with a database of its own), then holds app/'s coverage over
# both passes to its floor. Both create .venv and install what they need; `make lint-openapi` runs
# pinned Node tools through npx (fetched once, then cached).
VENV    ?= .venv
# Python 3.12 or 3.13 where one is found (scripts/find-python says why and where it looks).
PYTHON  ?= $(shell scripts/find-python)
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000
PG_TEST_DB  ?= registry_test
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/$(PG_TEST_DB)
# pytest-xdist workers: `make test TEST_WORKERS=0` runs in one process. Coverage is collected in
# each pass and judged once, over both, by `make coverage` (the floor is in pyproject.toml).
# Coverage listens through sys.monitoring (Python 3.12+), nearly free.
TEST_WORKERS ?= auto
PYTEST := COVERAGE_CORE=sysmon $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15 --cov --cov-report= --cov-fail-under=0
REDOCLY_CLI        ?= @redocly/cli@2.77.0
OPENAPI_TYPESCRIPT ?= openapi-typescript@7.13.0
# --prefer-offline: once npx has the pinned packages in its cache, it runs them without the network.
NPX := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --yes --prefer-offline

.PHONY: install run test check format test-sqlite test-postgres coverage lint-openapi openapi browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/registry migrate
	@scripts/first-steps $(HOST) $(PORT)
	$(BIN)/registry serve --host $(HOST) --port $(PORT)

test: check lint-openapi browser test-sqlite test-postgres coverage

# Debian's Chromium, for the dashboard's browser test (tests/test_dashboard.py). Installed with
# apt-get when missing and this is root; if it cannot be, that one test says so and is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; } || \
	  echo "make browser: Chromium could not be installed (apt-get install chromium, as root): the dashboard's browser test will be skipped" >&2

# The rules machines keep: ruff's lint and format, mypy --strict over app/, import-linter's layer
# contracts (all configured in pyproject.toml). `make format` applies ruff's fixes and format.
check: $(STAMP)
	$(BIN)/ruff check app tests bench alembic scripts
	$(BIN)/ruff format --check app tests bench alembic
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix app tests bench alembic scripts
	$(BIN)/ruff format app tests bench alembic

# The committed document as third parties use it: Redocly's recommended rules (redocly.yaml) with no
# error, and TypeScript types from openapi-typescript in which the PDF download is binary.
lint-openapi: $(STAMP)
	@command -v npx >/dev/null 2>&1 || { echo "make lint-openapi: npx (Node.js) is needed to run $(REDOCLY_CLI) and $(OPENAPI_TYPESCRIPT): apt-get install nodejs npm" >&2; exit 1; }
	@$(NPX) $(REDOCLY_CLI) --version >/dev/null 2>&1 && $(NPX) $(OPENAPI_TYPESCRIPT) --version >/dev/null 2>&1 || { echo "make lint-openapi: npx could not run $(REDOCLY_CLI) or $(OPENAPI_TYPESCRIPT) (the first run downloads them from the npm registry; Redocly CLI needs Node.js 20.19+ or 22.12+)" >&2; exit 1; }
	$(NPX) $(REDOCLY_CLI) lint --format=stylish registry
	$(NPX) $(OPENAPI_TYPESCRIPT)
	$(BIN)/python scripts/check-openapi-types openapi/openapi.json build/openapi-typescript/registry.d.ts

test-sqlite: $(STAMP)
	$(BIN)/coverage erase
	$(PYTEST)

test-postgres: $(STAMP)
	scripts/ensure-postgres $(PG_TEST_DB)
	REGISTRY_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) --cov-append

coverage: $(STAMP)
	$(BIN)/coverage report

openapi: $(STAMP)
	$(BIN)/registry export-openapi --output openapi/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .coverage .coverage.*
