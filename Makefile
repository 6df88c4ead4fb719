# The two commands: `make run` (demo club on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export BASHGAH_DATABASE_URL ?= sqlite+aiosqlite:///./var/bashgah.db

.PHONY: run test install lint demo-reset browser messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory browser
	touch $(STAMP)

# The browser tests drive Debian's Chromium; Playwright's own browser downloads are never used.
browser:
	@if [ -x /usr/bin/chromium ]; then \
		echo "browser tests: using /usr/bin/chromium"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update && apt-get install -y chromium; \
	else \
		echo "browser tests: /usr/bin/chromium is missing and we are not root;"; \
		echo "  install it with 'sudo apt-get install -y chromium' (the browser tests skip until then)."; \
	fi

# Extract the web pages' messages and update locale/{fa,en}/LC_MESSAGES/<domain>.po (see CONTRIBUTING.md).
messages: $(STAMP)
	$(BIN)/python -m bashgah.web.messages

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
