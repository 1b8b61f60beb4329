#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to date; safe to re-run.
# Runs in temporalio/admin-tools (docker-compose.yml, service temporal-schema) with the defaults
# below, and in ramp's cluster tests (scripts/lib/temporal-server.ts) with a local PostgreSQL,
# a temporal-sql-tool built from Go modules and the schema files of the same version.
#
#   SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD   where PostgreSQL is (temporal-sql-tool reads them too)
#   SQL_PLUGIN          temporal-sql-tool's plugin (default postgres12)
#   SCHEMA_DIR          the postgresql/v12 dir of Temporal's schema files
#   TEMPORAL_SQL_TOOL   the temporal-sql-tool executable
#   DB_NAME VISIBILITY_DB_NAME   the two databases (default temporal, temporal_visibility)
set -eu
SQL_HOST=${SQL_HOST:-postgresql}
SQL_PORT=${SQL_PORT:-5432}
SQL_USER=${SQL_USER:-temporal}
SQL_PLUGIN=${SQL_PLUGIN:-postgres12}
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
TEMPORAL_SQL_TOOL=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
DB_NAME=${DB_NAME:-temporal}
VISIBILITY_DB_NAME=${VISIBILITY_DB_NAME:-temporal_visibility}
SQL="$TEMPORAL_SQL_TOOL --plugin $SQL_PLUGIN --ep $SQL_HOST -u $SQL_USER -p $SQL_PORT"

# Without nc (a caller that waited for PostgreSQL itself), the tool's own errors say what is wrong.
if command -v nc >/dev/null 2>&1; then
  until nc -z "$SQL_HOST" "$SQL_PORT"; do echo "waiting for $SQL_HOST:$SQL_PORT"; sleep 1; done
fi

for db in "$DB_NAME" "$VISIBILITY_DB_NAME"; do
  dir=$SCHEMA_DIR/temporal/versioned
  [ "$db" = "$VISIBILITY_DB_NAME" ] && dir=$SCHEMA_DIR/visibility/versioned
  $SQL --db "$db" create || true          # already exists on a re-run
  $SQL --db "$db" setup-schema -v 0.0     # no-op when the schema version table exists
  $SQL --db "$db" update-schema -d "$dir"
done
echo 'Temporal schemas are up to date'
