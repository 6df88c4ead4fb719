# The two commands: `make run` (demo club on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export BASHGAH_DATABASE_URL ?= sqlite+aiosqlite:///./var/bashgah.db

.PHONY: run test install lint demo-reset

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/bashgah db upgrade
	$(BIN)/bashgah demo
	$(BIN)/bashgah serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

demo-reset:
	rm -f var/bashgah.db var/bashgah.db-wal var/bashgah.db-shm
