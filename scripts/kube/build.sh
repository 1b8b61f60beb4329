#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok from the Go module
# proxy into a per-version cache dir, and the kwok Stage config they need. Idempotent: binaries that
# already exist are skipped. See docs/kube.md.
#
#   RAMP_KUBE_CACHE  cache dir (default $HOME/.cache/ramp/kube/k8s-<v>_etcd-<v>_kwok-<v>)
#   K8S_VERSION / ETCD_VERSION / KWOK_VERSION / KUSTOMIZE_VERSION  override the pinned versions
#   RAMP_KUBE_BUILD_P  go build -p (default 2)
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"
CACHE="${RAMP_KUBE_CACHE:-$HOME/.cache/ramp/kube/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}}"
BIN="$CACHE/bin"
P="${RAMP_KUBE_BUILD_P:-2}"

# Go caches live next to the binaries (shared across versions one level up) so that a machine
# that keeps $HOME/.cache keeps everything.
GOROOT_CACHE="$(dirname "$CACHE")/go"
export GOCACHE="$GOROOT_CACHE/build" GOMODCACHE="$GOROOT_CACHE/mod"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false"
mkdir -p "$BIN" "$GOCACHE" "$GOMODCACHE"
LOG="$CACHE/build.log"

log() { printf '[kube-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
# Quiet: the log file only (nothing to build is not news).
logq() { printf '[kube-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >> "$LOG"; }
have() { for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done; }
# Runs a command, appending its output to the log; on failure shows the tail of the log.
step() {
  if ! "$@" >>"$LOG" 2>&1; then
    log "FAILED: $*"; tail -n 40 "$LOG" >&2; exit 1
  fi
}

if ! have etcd kube-apiserver kube-controller-manager kube-scheduler kwok kustomize && ! command -v go >/dev/null 2>&1; then
  echo "[kube-build] Go is not installed, and the Kubernetes test binaries are not cached in $BIN." >&2
  echo "[kube-build] Install Go 1.26 (https://go.dev/dl/) or point RAMP_KUBE_BIN at a directory with etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, kwok-stages.yaml and kustomize." >&2
  exit 1
fi

T0=$(date +%s)
logq "versions: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION; cache $CACHE; go build -p $P"
logq "$(go version)"

# --- etcd (its own wrapper module, so it keeps its own dependency versions) -----------------------
if ! have etcd; then
  t=$(date +%s); log "building etcd $ETCD_VERSION"
  W="$(mktemp -d)"
  ( cd "$W"
    step go mod init local/etcdbin
    step go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    step go build -mod=mod -p "$P" -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 )
  rm -rf "$W"; mv "$BIN/etcd.tmp" "$BIN/etcd"
  log "etcd built in $(( $(date +%s) - t ))s"
else
  logq "etcd: cached"
fi

# --- kube-apiserver, kube-controller-manager, kube-scheduler ----------------------------------------
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...;
# a wrapper module replaces each with its published v0.Y.Z tag instead.
KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler)
if ! have "${KUBE_BINS[@]}"; then
  t=$(date +%s); log "resolving k8s.io/kubernetes $K8S_VERSION"
  W="$(mktemp -d)"
  (
    cd "$W"
    step go mod init local/kubebins
    KMOD="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\([^"]*\)".*/\1/p')"
    [ -s "$KMOD" ] || { log "could not download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
    STAGING="v0.${K8S_VERSION#v1.}"
    for m in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*|\1|p' "$KMOD"); do
      go mod edit -replace="$m=$m@$STAGING"
    done
    go mod edit -go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$KMOD")"
    grep -E '^godebug ' "$KMOD" >> go.mod || true
    step go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION"
    log "modules resolved in $(( $(date +%s) - t ))s"
    MINOR="$(echo "$K8S_VERSION" | cut -d. -f2)"
    LD="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      LD="$LD -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
    done
    for b in "${KUBE_BINS[@]}"; do
      if have "$b"; then logq "$b: cached"; continue; fi
      tb=$(date +%s); log "building $b"
      step go build -mod=mod -p "$P" -trimpath -ldflags "$LD" -o "$BIN/$b.tmp" "k8s.io/kubernetes/cmd/$b"
      mv "$BIN/$b.tmp" "$BIN/$b"
      log "$b built in $(( $(date +%s) - tb ))s"
    done
  )
  rm -rf "$W"
  log "kubernetes binaries built in $(( $(date +%s) - t ))s"
else
  logq "kubernetes binaries: cached"
fi

# --- kwok (no replace directives: plain go install) -------------------------------------------------
if ! have kwok; then
  t=$(date +%s); log "building kwok $KWOK_VERSION"
  GOFLAGS=-buildvcs=false GOBIN="$BIN" step go install -p "$P" -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  log "kwok built in $(( $(date +%s) - t ))s"
else
  logq "kwok: cached"
fi

# --- kustomize (ramp's `apply` sync renders kustomizations with it) --------------------------------
if ! have kustomize; then
  t=$(date +%s); log "building kustomize $KUSTOMIZE_VERSION"
  GOFLAGS=-buildvcs=false GOBIN="$BIN" step go install -p "$P" -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  log "kustomize built in $(( $(date +%s) - t ))s"
else
  logq "kustomize: cached"
fi

# kwok refuses to start without Stage objects: take the stock "fast" stages from the module source.
if [ ! -s "$BIN/kwok-stages.yaml" ]; then
  S="$GOMODCACHE/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  if [ ! -d "$S" ]; then step go mod download "sigs.k8s.io/kwok@$KWOK_VERSION"; fi
  sep=""
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$S/$f" ] || { log "missing kwok stage $S/$f"; exit 1; }
    printf '%s' "$sep"; cat "$S/$f"; sep=$'\n---\n'
  done > "$BIN/kwok-stages.yaml.tmp"
  mv "$BIN/kwok-stages.yaml.tmp" "$BIN/kwok-stages.yaml"
fi

if [ "$(( $(date +%s) - T0 ))" -ge 2 ]; then
  log "done in $(( $(date +%s) - T0 ))s"
  log "sizes: $(du -sh "$BIN" | cut -f1) bin, $(du -sh "$GOCACHE" | cut -f1) GOCACHE, $(du -sh "$GOMODCACHE" | cut -f1) GOMODCACHE"
  ( cd "$BIN" && ls -l ) | tee -a "$LOG" >&2
else
  logq "all cached"
fi
echo "$BIN"
