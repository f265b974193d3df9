#!/usr/bin/env bash
# CI: make sure a PostgreSQL server listens on 127.0.0.1:5432 with database `coach_test` owned by user `coach`
# (password `coach`). Idempotent: installs Debian's postgresql if missing, creates or starts a cluster, creates
# the role and database when absent. It exports nothing; the caller sets
#   COACH_TEST_POSTGRES_URL=postgresql+psycopg://coach:coach@127.0.0.1:5432/coach_test
set -euo pipefail

PGUSER_NAME="${COACH_PG_USER:-coach}"
PGPASS="${COACH_PG_PASSWORD:-coach}"
PGDB="${COACH_PG_DB:-coach_test}"
PGPORT="${COACH_PG_PORT:-5432}"

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
BIN="/usr/lib/postgresql/${VERSION}/bin"

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if command -v pg_ctlcluster >/dev/null 2>&1; then
  # Debian layout: one cluster "main" for the installed version.
  if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "${VERSION}/main"; then
    pg_createcluster "${VERSION}" main --port "${PGPORT}" >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="${VERSION}" '$1==v && $2=="main" {print $4}' | grep -q online; then
    pg_ctlcluster "${VERSION}" main start -o "-c listen_addresses=127.0.0.1 -p ${PGPORT}"
  fi
else
  DATA="${COACH_PG_DATA:-/var/lib/postgresql/coach-ci}"
  mkdir -p "${DATA}" && chown postgres:postgres "${DATA}"
  if [ ! -f "${DATA}/PG_VERSION" ]; then
    as_postgres "${BIN}/initdb" -D "${DATA}" -A trust -U postgres >/dev/null
  fi
  if ! as_postgres "${BIN}/pg_ctl" -D "${DATA}" status >/dev/null 2>&1; then
    as_postgres "${BIN}/pg_ctl" -D "${DATA}" -l "${DATA}/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p ${PGPORT} -k /tmp" start
  fi
fi

for _ in $(seq 1 30); do
  if "${BIN}/pg_isready" -h 127.0.0.1 -p "${PGPORT}" -q; then break; fi
  sleep 1
done
"${BIN}/pg_isready" -h 127.0.0.1 -p "${PGPORT}"

psql_admin() {
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "${PGPORT}" "$@"
  else
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${PGPORT}" -U postgres "$@"
  fi
}

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='${PGUSER_NAME}'")" != "1" ]; then
  psql_admin -c "CREATE ROLE ${PGUSER_NAME} LOGIN PASSWORD '${PGPASS}' CREATEDB"
fi
# CREATEROLE: the service-role test makes a role that may only read and write rows (tests/test_store_roles.py).
psql_admin -c "ALTER ROLE ${PGUSER_NAME} CREATEROLE"
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='${PGDB}'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE ${PGDB} OWNER ${PGUSER_NAME}"
fi
echo "postgres ready: postgresql+psycopg://${PGUSER_NAME}:***@127.0.0.1:${PGPORT}/${PGDB}"
