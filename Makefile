# Wuye Field — two commands for a fresh Debian machine:
#   make run    set up, migrate, seed demo data if empty, serve on http://127.0.0.1:5000
#   make test   set up and run the whole suite on SQLite, then again on a real PostgreSQL
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# make bench SCALE=10: again on 10x data, with the growth of each figure; POSTGRESQL=1: each scale on PostgreSQL too
SCALE ?= 1
export FLASK_APP := app

.PHONY: run test lint test-fast test-sqlite test-pg bench audit system-deps test-system-deps venv translations migrate i18n-update clean

# Debian packages: fonts for Chinese PDFs; chromium and PostgreSQL only for the tests.
RUN_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUN_DEBS) chromium postgresql poppler-utils

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(RUN_DEBS))

test-system-deps:
	$(call apt_install,$(TEST_DEBS))

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e ".[pg,test]"

translations: venv
	$(BIN)/pybabel compile -d app/translations

migrate: venv
	$(BIN)/alembic upgrade head

run: system-deps venv translations migrate
	$(BIN)/flask seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (log in as guard1 / demo1234)"
	$(BIN)/flask tick --loop --stop-with $$PPID &  # the clock (docs/clock.md), beside the server, ends with make
	@# One waitress process per core on one socket (app/core/serve.py: one Python process uses one core). waitress
	@# reads each request whole (body included, up to 64 MB) in its async loop before a worker thread sees it, so slow
	@# clients hold sockets, not the 32 threads of a process (docs/deploy.md); no Server banner. X-Forwarded-*
	@# reach the app, whose TRUSTED_PROXY_HOPS alone decides whether they are believed (waitress would drop them).
	$(BIN)/python -m app.core.serve --host=$(HOST) --port=$(PORT)

# Both backends at once (each leaves a core to the other's browser and server; about half the wall time of one
# after the other on this 2-core machine). PostgreSQL's report is printed after SQLite's; either failing fails.
test: test-system-deps venv translations lint
	@TEST_DATABASE=postgresql $(BIN)/pytest -q -p no:cacheprovider > .test-postgresql.log 2>&1 & pg=$$!; \
	echo "SQLite:"; $(BIN)/pytest -q; sqlite=$$?; \
	wait $$pg; postgres=$$?; echo "PostgreSQL:"; cat .test-postgresql.log; \
	test $$sqlite = 0 && test $$postgres = 0

# Lint: pyflakes, pycodestyle and import order (settings in pyproject.toml); part of `make test`.
lint: venv
	$(BIN)/ruff check app tests scripts

# Quicker loop while coding: SQLite only, no browser.
test-fast: venv translations
	$(BIN)/pytest -q -m "not browser"

bench: venv translations $(if $(POSTGRESQL),test-system-deps)
	$(BIN)/python scripts/bench.py --scale $(SCALE) $(if $(POSTGRESQL),--postgresql)

# The outside audit of issue 14 against the served app (waitress + the clock, its own directory and port), the
# fault run (CYCLES uploads cut, refused, killed) and the large-PNG flood, on SQLite then PostgreSQL; about
# half an hour, so not part of `make test`. Results: docs/audit.md.
CYCLES ?= 1000
audit: test-system-deps venv translations
	$(BIN)/python scripts/audit.py --backend both --cycles $(CYCLES)

# Re-extract messages and refresh the catalogues (zh_Hant filled by OpenCC where still empty).
i18n-update: venv
	$(BIN)/pip install -q -c constraints.txt -e ".[i18n]"
	$(BIN)/python scripts/i18n_update.py

clean:
	rm -rf $(VENV) .pytest_cache
