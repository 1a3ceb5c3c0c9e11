# kopdes: `make demo` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo serve test test-domain lint format bench clean

$(BIN)/kopdes: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(BIN)/kopdes

install: $(BIN)/kopdes

demo: install
	$(BIN)/kopdes demo

serve: install
	$(BIN)/kopdes serve

test: install
	scripts/test.sh

test-domain: install
	KOPDES_TESTING=1 $(BIN)/python -m pytest -q src/kopdes/domain

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	KOPDES_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/test
