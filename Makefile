# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out/demo

.PHONY: demo test lint format bench bench-ingest data clean

# pip's and setuptools' messages go to $(VENV)/install.log, shown only when an install fails.
INSTALL_LOG := $(VENV)/install.log
PIP_INSTALL = $(BIN)/python -m pip install --disable-pip-version-check --no-input
define pip_install
	@echo "installing $(1) into $(VENV) (log: $(INSTALL_LOG))"
	@$(PIP_INSTALL) $(2) > $(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); echo "make: installing $(1) failed (log: $(INSTALL_LOG))"; exit 1; }
endef

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "caravan needs Python 3.11 or newer"'
	@echo "creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)
	$(call pip_install,the latest pip,--upgrade pip)

# Editable installs, so that a change in caravan/ is picked up without reinstalling;
# the stamp files are refreshed when the packaging metadata changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(call pip_install,caravan and its dependencies,-e .)
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(call pip_install,caravan with the test tools,-e '.[test]')
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@$(BIN)/caravan plan --out $(OUT)
	@echo
	@echo "Open $(OUT)/map.html in a browser and $(OUT)/itinerary.csv in Excel."
	@echo "Run caravan next time as $(BIN)/caravan (try: $(BIN)/caravan --help), or type"
	@echo "'source $(BIN)/activate' once in a terminal and then just 'caravan'."

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -rs

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
