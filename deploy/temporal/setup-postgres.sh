#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to date.
# Runs in temporalio/admin-tools (docker-compose.yml, service temporal-schema); safe to re-run.
set -eu
SQL="temporal-sql-tool --plugin postgres12 --ep postgresql -u temporal -p 5432"
SCHEMA=/etc/temporal/schema/postgresql/v12

until nc -z postgresql 5432; do echo 'waiting for postgresql:5432'; sleep 1; done

for db in temporal temporal_visibility; do
  dir=$SCHEMA/temporal/versioned
  [ "$db" = temporal_visibility ] && dir=$SCHEMA/visibility/versioned
  $SQL --db "$db" create || true          # already exists on a re-run
  $SQL --db "$db" setup-schema -v 0.0     # no-op when the schema version table exists
  $SQL --db "$db" update-schema -d "$dir"
done
echo 'Temporal schemas are up to date'
