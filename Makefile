# newsradar: `make demo` runs the whole pipeline on the generated demo newsroom; `make test` runs the tests.
# Needs only Python 3.11 and make: uv is installed into .tools/ and the project into .venv/ from uv.lock.

PYTHON ?= python3
UV_VERSION ?= 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: demo test install install-all lint format clean airflow dashboard bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# Core install: crawler, lake, warehouse (dbt + DuckDB). --inexact keeps extras installed earlier.
# --compile-bytecode: this environment may set PYTHONDONTWRITEBYTECODE, and every crawl, dbt and
# Airflow task process would otherwise recompile its imports (about 2x slower start-up).
install: $(UV)
	$(UV) sync --frozen --inexact --compile-bytecode --python $(PYTHON)

# Everything: Airflow, Celery, cosmos, Streamlit, test tools.
install-all: $(UV)
	$(UV) sync --frozen --all-extras --all-groups --compile-bytecode --python $(PYTHON)

demo: install
	$(BIN)/newsradar demo

test: install-all
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: install-all
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-all
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Airflow standalone on localhost with the newsradar DAGs over the demo newsroom (Ctrl-C stops it).
airflow: install-all
	$(BIN)/newsradar airflow

clean:
	rm -rf $(VENV) .tools data .pytest_cache
