# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out/demo

.PHONY: demo test lint format bench bench-ingest data clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "caravan needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Editable installs, so that a change in caravan/ is picked up without reinstalling;
# the stamp files are refreshed when the packaging metadata changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/caravan plan --out $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/caravan_week.py
	$(BIN)/python benchmarks/map_outputs.py

# 1,000,000 complaint rows read, placed and scored (see benchmarks/RESULTS.md)
bench-ingest: $(VENV)/.installed-test
	$(BIN)/python benchmarks/ingest.py

# Rebuild data/geo/ from ../shared/geo (see data/geo/README.md).
data: $(VENV)/.installed
	$(BIN)/caravan data build --source ../shared/geo --out data/geo

clean:
	rm -rf $(VENV) out build *.egg-info
