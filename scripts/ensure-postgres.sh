#!/usr/bin/env bash
# Makes a local PostgreSQL 15 reachable for the test suite, as CI and a developer need it; safe to run again.
#
#   - installs Debian's postgresql package if the server is missing (needs root: CI runs as root);
#   - starts the cluster 15/main if it is down;
#   - creates the role feature_backfill (LOGIN CREATEDB, password feature_backfill) and the database
#     feature_backfill, reachable over TCP on 127.0.0.1:5432 with Debian's default scram-sha-256 rule.
#
# The password is a fixed, test-only one for a server bound to the loopback interface; the tests read it from
# PGPASSWORD like any other deployment would. Prints the URL the tests use (FEATURE_BACKFILL_TEST_POSTGRES).
set -euo pipefail

VERSION=15
ROLE=feature_backfill
PASSWORD=feature_backfill
DATABASE=feature_backfill

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x "/usr/lib/postgresql/$VERSION/bin/postgres" ]; then
  echo "ensure-postgres: installing PostgreSQL $VERSION from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

# The Debian package creates the cluster on install; a machine where it was dropped needs it again.
if ! pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "$VERSION/main"; then
  as_root pg_createcluster "$VERSION" main
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$VERSION" main start
fi

psql_admin() { as_root runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# Wait for the socket (a start returns before the server accepts connections on a slow machine).
for _ in $(seq 1 50); do psql_admin -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done

psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$ROLE') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE')
\gexec
ALTER ROLE $ROLE WITH LOGIN CREATEDB PASSWORD '$PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DATABASE', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE')
\gexec
SQL

echo "postgres://$ROLE@127.0.0.1:5432/$DATABASE (PGPASSWORD=$PASSWORD)"
