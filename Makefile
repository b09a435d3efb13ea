# The README's two commands: `make run` and `make test`. Everything else helps them.
VENV := .venv
PY := $(VENV)/bin/python
# Two workers (pytest-xdist), one file each at a time, so a session fixture such as the
# crawl's demo seeding runs once per worker that needs it; the slowest files go first
# (tests/scheduling.py). PYTEST_ARGS= runs serially.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test install install-system lint test-sqlite test-postgres bench bench-load clean serve-prod messages

$(VENV)/.installed: requirements.lock
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); PYTHON="$$(scripts/find-python.sh)" && "$$PYTHON" -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(VENV)/.installed

install-system:
	scripts/install-system.sh

# Development commands run with DEBUG on (and so the public development secret key) unless
# the environment says otherwise; production (DEBUG off) refuses to start without a real key.
run lint messages: export DJANGO_DEBUG ?= true

## make run: the application on SQLite with demo data, on http://127.0.0.1:8000
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: install everything, lint, check migrations, the suite on SQLite and PostgreSQL
test: install install-system lint test-sqlite test-postgres

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v 1

test-sqlite: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	scripts/with-postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

## make bench: every benchmark on SQLite, then on a throwaway PostgreSQL (long: 1M contacts)
BENCHES := seed segments log_segment campaign_log letters delivery pages ledger_pages contact_card import
bench: install
	for b in $(BENCHES); do $(PY) bench/$$b.py || exit 1; done
	for b in $(BENCHES); do scripts/with-postgres.sh $(PY) bench/$$b.py || exit 1; done

## make bench-load: 20 users against gunicorn on PostgreSQL for 60 s (bench/load.py)
bench-load: install
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* .pytest_cache

.PHONY: messages
## make messages: refresh the Norwegian Bokmål catalog from the code and compile it (GNU gettext)
messages: install
	$(PY) manage.py makemessages -l nb --ignore=.venv --ignore=static --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages -l nb --ignore=.venv

## make serve-prod: gunicorn (4 workers) + one db_worker on PostgreSQL (DATABASE_URL)
serve-prod: install
	scripts/serve-prod.sh
