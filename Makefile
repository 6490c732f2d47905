# ERP Bridge. `make run`: set up and serve with demo data. `make test`: the whole suite, SQLite then PostgreSQL.
# `make serve`: the production server (runtime packages only, gunicorn + whitenoise, export workers; README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
BIND ?= 0.0.0.0:$(PORT)
# A key for local runs and the tests only (the app refuses to start with DEBUG off and no key):
# any deployment sets its own SECRET_KEY (`make serve` refuses to start without one).
SECRET_KEY_ORIGIN := $(origin SECRET_KEY)
export SECRET_KEY ?= local-development-and-test-key-not-for-deployments

.PHONY: install run serve serve-key test test-sqlite test-postgres test-api-fuzz lint system-deps bench bench-scale clean

# requirements/runtime.txt: what the app runs on; requirements/dev.txt: that plus the test and lint tools.
$(BIN)/.installed: requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $(BIN)/.installed-runtime $@

$(BIN)/.installed-runtime: requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/runtime.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	@echo ""
	@echo "ERP Bridge is at http://127.0.0.1:$(PORT)/admin/  (API: http://127.0.0.1:$(PORT)/api/docs/)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production, in the foreground: runtime packages only, then scripts/serve.sh (migrate, collectstatic,
# gunicorn on $(BIND) with WEB_CONCURRENCY workers, ERP_WORKERS erp_worker processes in ledger mode).
# Needs a SECRET_KEY of its own and ALLOWED_HOSTS; Ctrl-C stops everything.
serve: serve-key $(BIN)/.installed-runtime
	BIN=$(BIN) BIND=$(BIND) exec scripts/serve.sh

serve-key:
	@if [ "$(SECRET_KEY_ORIGIN)" = undefined ]; then \
	  echo "make serve: set SECRET_KEY (and ALLOWED_HOSTS): see README, Running in production" >&2; exit 1; fi

# PostgreSQL 15 and Debian's Chromium, installed when missing (needs root, as on CI).
system-deps:
	scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# SQLite run prints a coverage summary of apps/ (informational: no threshold); PostgreSQL runs without it (speed).
test-sqlite: install
	$(BIN)/pytest --cov=apps --cov-report=term:skip-covered

test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest

test-api-fuzz: install
	scripts/api-fuzz.sh

test: system-deps lint test-sqlite test-postgres test-api-fuzz

# Budget import figures (10,000 and 100,000 lines) on SQLite, then PostgreSQL: printed, never asserted.
bench: install system-deps
	$(BIN)/python manage.py bench_budget_import
	scripts/with-postgres.sh $(BIN)/python manage.py bench_budget_import

# Company scale (README, Development): every queue, audit trail, claim and bulk page at 10x and 100x a unit of data.
bench-scale: install system-deps
	$(BIN)/python manage.py bench_scale
	scripts/with-postgres.sh $(BIN)/python manage.py bench_scale

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
