# The two commands: `make run` (demo club on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
export BASHGAH_DATABASE_URL ?= sqlite+aiosqlite:///./var/bashgah.db

.PHONY: run test install lint demo-reset browser messages

# Running needs only the package and its run-time dependencies; the tests add the dev extras
# (pytest, linters, Playwright) and Debian's Chromium. `make run` never installs a browser.
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory browser
	touch $(TEST_STAMP)

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
messages: $(TEST_STAMP)
	$(BIN)/python -m bashgah.web.messages

install: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/bashgah db upgrade
	$(BIN)/bashgah demo
	$(BIN)/bashgah serve

# The suite runs on every core (pytest-xdist): a worker takes one file's SQLite or PostgreSQL tests at a
# time, the slowest first (tests/balance.py); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
test: $(TEST_STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

demo-reset:
	rm -f var/bashgah.db var/bashgah.db-wal var/bashgah.db-shm
