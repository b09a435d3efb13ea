#!/usr/bin/env bash
# Production-style serving on one machine: migrate, collectstatic, one db_worker and
# gunicorn, all against the PostgreSQL database in DATABASE_URL. Scale out by running
# more of either on more machines (see README "Running big").
#   DATABASE_URL=postgres://... DJANGO_SECRET_KEY=... scripts/serve-prod.sh
# Optional: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (gunicorn workers, default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) ;;
  *) echo "serve-prod needs DATABASE_URL=postgres://user:password@host:port/name" >&2; exit 1 ;;
esac
export DJANGO_TASKS_BACKEND="${DJANGO_TASKS_BACKEND:-django_tasks_db.DatabaseBackend}"
PY=.venv/bin/python
# Refuse to serve with a development configuration: the settings themselves refuse a missing
# DJANGO_SECRET_KEY; the deploy checks also catch HTTP-only cookies, no HSTS, console mail...
$PY manage.py check --deploy --fail-level WARNING
$PY manage.py migrate --no-input
$PY manage.py collectstatic --no-input -v 0
$PY manage.py db_worker --no-reload --queue-name '*' &
WORKER=$!
# SIGTERM lets the worker finish its current task; a job cut short is retried from its page.
trap 'kill -TERM "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn crm.wsgi \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_CONCURRENCY:-4}" \
  --access-logfile - \
  --timeout "${GUNICORN_TIMEOUT:-120}"
