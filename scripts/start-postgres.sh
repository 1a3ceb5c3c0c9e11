#!/usr/bin/env bash
# Start a local PostgreSQL 15 on 127.0.0.1:5432 and create the kopdes role and database.
# Used by .ci/run (as root) and by developers; safe to run twice.
set -euo pipefail
PGVER=${PGVER:-15}
if ! command -v pg_lsclusters >/dev/null; then
  echo "start-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main"' | grep -q .; then
  pg_createcluster "$PGVER" main
fi
# Durability is never traded for speed, not even in tests (reliability.md T5a).
conf=/etc/postgresql/$PGVER/main/conf.d/kopdes.conf
mkdir -p "$(dirname "$conf")"
cat > "$conf" <<CONF
listen_addresses = '127.0.0.1'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
CONF
pg_ctlcluster "$PGVER" main start 2>/dev/null || pg_ctlcluster "$PGVER" main restart
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kopdes') THEN
    CREATE ROLE kopdes LOGIN PASSWORD 'kopdes' CREATEDB;
  END IF;
END $$;
SQL
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='kopdes'" | grep -q 1 \
  || runuser -u postgres -- createdb -O kopdes kopdes
echo "PostgreSQL ready: postgresql://kopdes:kopdes@127.0.0.1:5432/kopdes"
