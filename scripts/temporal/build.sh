#!/usr/bin/env bash
# Builds the Temporal server (temporal-server) and Temporal's SQL schema tool (temporal-sql-tool)
# from the Go module go.temporal.io/server into a per-version cache dir, and copies the module's
# PostgreSQL schema files next to them. Idempotent (cached binaries are reused) and locked (a
# second process waits for the first one's build). The cluster test suite runs it through
# scripts/lib/temporal-server.ts; see docs/testing.md.
#
#   TEMPORAL_SERVER_VERSION  module version (default below; 1.31.x matches docker-compose.yml)
#   RAMP_TEMPORAL_CACHE      cache dir (default $HOME/.cache/ramp/temporal-server-<version>)
#   RAMP_TEMPORAL_BUILD_P    go build -p (default 2)
#
# Prints the cache dir as its last line of stdout: bin/temporal-server, bin/temporal-sql-tool,
# schema/postgresql/v12/{temporal,visibility}/versioned.
set -euo pipefail

VERSION="${TEMPORAL_SERVER_VERSION:-v1.31.4}"
CACHE="${RAMP_TEMPORAL_CACHE:-$HOME/.cache/ramp/temporal-server-$VERSION}"
BIN="$CACHE/bin"
SCHEMA="$CACHE/schema"
P="${RAMP_TEMPORAL_BUILD_P:-2}"

# Go's caches are shared by every version one level up, so a machine that keeps $HOME/.cache keeps
# the downloaded modules and compiled packages too.
GO_CACHES="$(dirname "$CACHE")/go"
export GOCACHE="$GO_CACHES/build" GOMODCACHE="$GO_CACHES/mod"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false"
mkdir -p "$CACHE"
LOG="$CACHE/build.log"

log() { printf '[temporal-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
logq() { printf '[temporal-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >> "$LOG"; }
ready() { [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -f "$SCHEMA/.complete" ]; }
step() {
  if ! "$@" >>"$LOG" 2>&1; then
    log "FAILED: $*"; tail -n 40 "$LOG" >&2
    log "the whole log: $LOG"
    exit 1
  fi
}

if ready; then logq "all cached"; echo "$CACHE"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  echo "[temporal-build] Go is not installed, and temporal-server $VERSION is not cached in $CACHE." >&2
  echo "[temporal-build] Install Go 1.26.8 or newer (https://go.dev/dl/) and run again," >&2
  echo "[temporal-build] or point RAMP_TEMPORAL_CACHE at a directory with bin/temporal-server, bin/temporal-sql-tool and schema/ built by this script." >&2
  exit 1
fi

# One build at a time: a second process waits here, then finds everything cached.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  log "another process is building temporal-server $VERSION; waiting for it (lock $CACHE/.lock)"
  flock 9
fi
if ready; then logq "built by another process"; echo "$CACHE"; exit 0; fi

T0=$(date +%s)
mkdir -p "$BIN" "$GOCACHE" "$GOMODCACHE"
logq "temporal server $VERSION; cache $CACHE; $(go version); go build -p $P"

# A wrapper module requires go.temporal.io/server at VERSION, so both binaries build at exactly the
# module's own dependency versions. v1.31.3 and v1.31.4 require go.temporal.io/auto-scaled-workers
# at v0.0.0-1.31.2, a version the Go module proxy does not serve ("403 This module version is not
# available"); the replace gives it the version v1.31.2 requires, which the proxy serves.
AUTO_SCALED_WORKERS="${TEMPORAL_AUTO_SCALED_WORKERS:-v0.0.0-20260407181057-edd947d743d2}"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
(
  cd "$W"
  step go mod init local/temporalbins
  if grep -q 'go.temporal.io/auto-scaled-workers v0.0.0-1.31.2$' "$(go mod download -json "go.temporal.io/server@$VERSION" | sed -n 's/.*"GoMod": "\([^"]*\)".*/\1/p')"; then
    logq "replacing go.temporal.io/auto-scaled-workers v0.0.0-1.31.2 (not served) with $AUTO_SCALED_WORKERS"
    go mod edit -replace="go.temporal.io/auto-scaled-workers=go.temporal.io/auto-scaled-workers@$AUTO_SCALED_WORKERS"
  fi
  step go get "go.temporal.io/server@$VERSION"
  build() { # <package dir> <binary name>
    if [ -x "$BIN/$2" ]; then logq "$2: cached"; return; fi
    local t; t=$(date +%s); log "building $2 from go.temporal.io/server/$1@$VERSION (a first build takes many minutes)"
    step go build -mod=mod -p "$P" -tags disable_grpc_modules -trimpath -ldflags "-s -w" -o "$BIN/$2.tmp" "go.temporal.io/server/$1"
    mv "$BIN/$2.tmp" "$BIN/$2"
    log "$2 built in $(( $(date +%s) - t ))s"
  }
  build cmd/tools/sql temporal-sql-tool
  build cmd/server temporal-server
)

# The schema files the SQL tool applies, from the same module version.
SRC="$GOMODCACHE/go.temporal.io/server@$VERSION/schema/postgresql"
[ -d "$SRC" ] || step go mod download "go.temporal.io/server@$VERSION"
[ -d "$SRC/v12/temporal/versioned" ] || { log "no PostgreSQL schema in $SRC"; exit 1; }
rm -rf "$SCHEMA"; mkdir -p "$SCHEMA"
cp -R "$SRC" "$SCHEMA/postgresql"
chmod -R u+w "$SCHEMA"
touch "$SCHEMA/.complete"

log "done in $(( $(date +%s) - T0 ))s; $(du -sh "$BIN" | cut -f1) of binaries in $BIN"
echo "$CACHE"
