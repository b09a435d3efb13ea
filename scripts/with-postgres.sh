#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb into a temporary folder,
# start it on a free loopback port, export DATABASE_URL, run "$@", stop and remove it.
set -euo pipefail
if ! command -v pg_config >/dev/null 2>&1 || [ ! -x "$(pg_config --bindir)/initdb" ]; then
  echo "PostgreSQL server not found; run 'make install-system' (Debian package postgresql)." >&2
  exit 1
fi
PGBIN="$(pg_config --bindir)"
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PGTMP="$(mktemp -d /tmp/pgtmp.XXXXXX)"
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
[ "$(id -u)" = 0 ] && chown postgres: "$PGTMP"
cleanup() {
  as_pg "$PGBIN/pg_ctl -D $PGTMP/data -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
# autovacuum off: it analyzes tables the tests just emptied (reltuples 0), and the planner
# then runs later tests' set-based statements as nested loops (minutes instead of ms).
# Benchmarks run ANALYZE themselves.
as_pg "$PGBIN/initdb -D $PGTMP/data -A trust -U postgres -E UTF8 --no-sync" >/dev/null
as_pg "$PGBIN/pg_ctl -D $PGTMP/data -l $PGTMP/log -w -t 30 start -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c max_connections=200'" >/dev/null
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE app" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/app"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PGPORT"
"$@"
