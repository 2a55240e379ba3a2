# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test check lint typecheck schema migrate seed lock clean

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $(INSTALLED)

run: $(INSTALLED)  ## Serve on http://127.0.0.1:8000 (SQLite + in-memory pub/sub, demo data on first start)
	$(BIN)/python server.py serve

test: $(INSTALLED)  ## The whole suite (TEST_DATABASE_URL / TEST_BROADCAST_URL pick PostgreSQL / Redis)
	$(BIN)/python -m pytest

check: lint typecheck  ## Lint, types and the committed schema
	$(BIN)/python -m schema.export --check

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy .

schema: $(INSTALLED)  ## Rewrite schema.graphql from the code
	$(BIN)/python -m schema.export

migrate: $(INSTALLED)  ## Migrate DATABASE_URL to the newest revision
	$(BIN)/python server.py migrate

seed: $(INSTALLED)  ## Migrate, then load the demo data if it is not there yet
	$(BIN)/python server.py seed

lock: $(INSTALLED)  ## Re-resolve requirements.lock from pyproject.toml (needs uv in the venv)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 \
		--no-header --quiet -o requirements.lock

.PHONY: bench bench-full

bench: $(INSTALLED)  ## Benchmarks vs their baselines, quick (100,000 reports; needs PostgreSQL, Redis, Node 20)
	$(BIN)/python -m bench.run

bench-full: $(INSTALLED)  ## Benchmarks on 1,000,000 reports and up to 10,000 subscribers (see BENCHMARKS.md)
	$(BIN)/python -m bench.run --full

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
