# graph-service: the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export GRAPH_SERVICE_DATA_DIR ?= $(CURDIR)/var

.PHONY: install install-dev browser axe virtuoso vmtouch run build validate serve test test-fast lint format bench clean territories

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime install, redone whenever pyproject.toml changes.
$(VENV)/.stamp-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Test/dev install: runtime + dev extras.
$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.stamp-runtime $@

install: $(VENV)/.stamp-runtime
install-dev: $(VENV)/.stamp-dev

# Debian's chromium for the Playwright tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -q && apt-get install -y -q chromium) >/dev/null || \
	  { echo "could not install chromium with apt-get"; exit 1; }; }

# axe-core from the npm registry (Debian's npm), for tests/test_axe_browser.py, under the venv.
AXE_JS := $(VENV)/axe/node_modules/axe-core/axe.min.js
$(AXE_JS):
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for axe-core"; \
	  (apt-get update -q && apt-get install -y -q npm) >/dev/null || \
	  { echo "could not install npm with apt-get"; exit 1; }; }
	mkdir -p $(VENV)/axe
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/axe 'axe-core@^4.10'
	@test -f $@

axe: $(AXE_JS)

# Debian's Virtuoso, the third engine of the backend tests (they start their own server on
# 127.0.0.1 with their own database: the package's debconf password question is left blank).
# Without root it is only said: the Virtuoso tests then skip, with this reason (in CI, CI=true,
# they fail instead).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "virtuoso-opensource is missing and this is not root: the Virtuoso tests will skip"; \
	  else \
	    echo "Installing Debian's virtuoso-opensource for the Virtuoso backend tests"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q virtuoso-opensource) >/dev/null || \
	    { echo "could not install virtuoso-opensource with apt-get"; exit 1; }; \
	  fi; }

# Debian's vmtouch: the bench locks the stores it measures in memory with it (bench/resident.py)
# and the tests check that it does. Without it the bench runs with its stores unlocked (it
# says so) and that test skips (in CI, CI=true, it fails instead).
vmtouch:
	@command -v vmtouch >/dev/null 2>&1 || \
	  (apt-get update -q && apt-get install -y -q vmtouch) >/dev/null 2>&1 || \
	  echo "vmtouch not installed: the bench's stores are not locked in memory, its test skips"

validate: install
	$(BIN)/graph-service validate

build: install
	$(BIN)/graph-service build

run: install
	$(BIN)/graph-service build
	$(BIN)/graph-service serve --host $(HOST) --port $(PORT)

test: install-dev browser axe virtuoso vmtouch
	$(BIN)/python -m pytest

# The inner loop: everything but the browser and the long conformance suites.
test-fast: install-dev virtuoso
	$(BIN)/python -m pytest -m "not browser and not slow"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's wrk measures the SPARQL cells (a Python client would cap both servers' figures);
# Debian's vmtouch keeps the stores in memory during the run (bench/resident.py says why).
bench: install-dev vmtouch
	@command -v wrk >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q wrk) >/dev/null || \
	  echo "wrk not installed: the benchmark falls back to its Python client"
	$(BIN)/python -m bench

territories: install
	$(BIN)/python vocab/generate_territories.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache tests/artifacts bench/out
