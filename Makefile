# NeuroCanvas: set-up, run, test. Every target first makes sure .venv is installed and current.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test test-fast bench lint format screenshots clean

setup: $(STAMP)

# Recreate the venv when it is missing or its interpreter no longer runs (moved, Python upgraded);
# reinstall only when pyproject.toml changed, so a second `make test` starts at once.
$(STAMP): pyproject.toml
	@$(BIN)/python -c "import sys" >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[dev,keras,serve,tune,explain]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/neurocanvas $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m neurocanvas.gui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
