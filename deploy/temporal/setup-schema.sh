#!/bin/sh
# One-shot (temporalio/admin-tools): creates Temporal's two PostgreSQL databases if missing and applies
# every pending schema version. Idempotent: run it again after bumping TEMPORAL_VERSION to upgrade the schema.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (PostgreSQL host) must be set}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}"
i=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  i=$((i + 1))
  [ "$i" -lt 60 ] || { echo "PostgreSQL unreachable" >&2; exit 1; }
  sleep 2
done

# SQL_TLS_FLAGS: extra temporal-sql-tool flags for a TLS connection (e.g. "--tls --tls-ca-file /certs/ca.pem"), split on spaces.
# shellcheck disable=SC2086
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" ${SQL_TLS_FLAGS:-} "$@"; }

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db="${pair%%:*}"
  dir="${pair#*:}"
  echo "schema of ${db}"
  # No-op when the database exists; SKIP_DB_CREATE=true when the role may not create databases (pre-created ones).
  [ "${SKIP_DB_CREATE:-false}" = true ] || sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0 # no-op when a schema version is already recorded
  sql --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned"
done
echo "Temporal schema is up to date"
