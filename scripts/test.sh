#!/usr/bin/env bash
# The whole suite: once on SQLite (with the browser tests), once on PostgreSQL.
# PostgreSQL comes from $KOPDES_TEST_PG_URL (default: the local server that
# scripts/start-postgres.sh starts). Without it the PostgreSQL run is skipped loudly,
# and under CI=true that is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export KOPDES_TESTING=1
export KOPDES_VAR_DIR=${KOPDES_VAR_DIR:-$PWD/var/test}
PG_URL=${KOPDES_TEST_PG_URL:-postgresql://kopdes:kopdes@127.0.0.1:5432/kopdes}
WORKERS=${KOPDES_TEST_WORKERS:-2}

echo "== kopdes tests on SQLite (with browser tests) =="
env -u DATABASE_URL "$PY" -m pytest -n "$WORKERS" "$@"
sqlite_rc=$?

echo "== kopdes tests on PostgreSQL =="
if "$PY" - "$PG_URL" <<'PYEOF'
import sys
import psycopg, psycopg.conninfo
try:
    # pytest-django creates its own test database: only the server must answer.
    conninfo = psycopg.conninfo.make_conninfo(sys.argv[1], dbname="postgres")
    psycopg.connect(conninfo, connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr); sys.exit(1)
PYEOF
then
  DATABASE_URL=$PG_URL "$PY" -m pytest -n "$WORKERS" -m "not browser" "$@"
  pg_rc=$?
else
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: PostgreSQL is required under CI=true" >&2
    pg_rc=1
  else
    echo "!!!!!! SKIPPED LOUDLY: the PostgreSQL run (start it with scripts/start-postgres.sh) !!!!!!" >&2
    pg_rc=0
  fi
fi
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
