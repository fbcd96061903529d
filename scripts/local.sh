#!/usr/bin/env bash
# Runs the whole pipeline locally on embedded defaults: a local Kafka broker, a local S3-compatible server and
# DuckDB as the warehouse. Installs what it needs on the first run (cached under ~/.cache/spotify-pipeline).
# Usage: npm start [-- --help]      With --kubernetes: the same pipeline in pods on a single-node cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
started=$SECONDS
SAY_PREFIX=local

require_node
say "npm workspace"
ensure_node_modules
say "components the local pipeline needs"
if [[ " $* " == *" --kubernetes "* ]]; then
  bash scripts/install-components.sh apt kafka versitygw helm etcd kube kube-node coredns node-tools image-tools node-base
else
  bash scripts/install-components.sh kafka versitygw dbt
fi
exec npx tsx --conditions=source scripts/local.ts "$@"
