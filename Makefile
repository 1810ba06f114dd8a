# `make run` serves the API on the embedded SQLite default; `make test` runs the whole suite
# on SQLite and again on PostgreSQL. Both create .venv and install what they need.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000
PG_TEST_DB  ?= registry_test
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/$(PG_TEST_DB)

.PHONY: install run test test-sqlite test-postgres openapi clean

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

test: test-sqlite test-postgres

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -q

test-postgres: $(STAMP)
	scripts/ensure-postgres $(PG_TEST_DB)
	REGISTRY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q

openapi: $(STAMP)
	$(BIN)/registry export-openapi --output openapi/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache
