# ERP Bridge. `make run`: set up and serve with demo data. `make test`: the whole suite, SQLite then PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# A key for local runs and the tests only (the app refuses to start with DEBUG off and no key):
# any deployment sets its own SECRET_KEY.
export SECRET_KEY ?= local-development-and-test-key-not-for-deployments

.PHONY: install run test test-sqlite test-postgres test-api-fuzz lint system-deps bench clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	@echo ""
	@echo "ERP Bridge is at http://127.0.0.1:$(PORT)/admin/  (API: http://127.0.0.1:$(PORT)/api/docs/)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

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

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
