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
# --help and --version answer before anything is installed (help.txt is scripts/local/cli.ts's help).
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -h | --help) cat scripts/local/help.txt; exit 0 ;;
    -V | --version) echo "npm start $(node -p 'require("./package.json").version') (node $(node -p process.versions.node))"; exit 0 ;;
  esac
done
say "npm workspace"
ensure_node_modules
# Options are checked before the components are installed; local.ts installs the ones the run needs.
exec npx tsx --conditions=source scripts/local.ts "$@"
