#!/bin/bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
# a role and database for the desk, and a role for Temporal, which creates its own databases
# (temporal, temporal_visibility) through temporal-sql-tool in the temporal-schema service.
set -euo pipefail
: "${GUICHET_DB_PASSWORD:?GUICHET_DB_PASSWORD must be set}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v guichet_password="$GUICHET_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE guichet LOGIN PASSWORD :'guichet_password';
CREATE DATABASE guichet OWNER guichet;
REVOKE ALL ON DATABASE guichet FROM PUBLIC;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
