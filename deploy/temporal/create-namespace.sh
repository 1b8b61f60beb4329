#!/bin/sh
# Creates the namespace ramp's worker uses, unless it exists. Runs in temporalio/admin-tools.
set -eu
NAMESPACE=${NAMESPACE:-default}
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}

i=0
until temporal operator cluster health --address "$ADDRESS"; do
  i=$((i + 1))
  [ "$i" -ge 30 ] && { echo "Temporal at $ADDRESS is not healthy"; exit 1; }
  sleep 2
done
temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention 7d --address "$ADDRESS"
echo "namespace $NAMESPACE is ready"
