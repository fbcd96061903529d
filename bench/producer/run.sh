#!/usr/bin/env bash
# Runs the producer benchmark from source (workspace packages resolve to their TypeScript sources).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TSX_TSCONFIG_PATH=services/simulator/tsconfig.run.json
exec node --import tsx bench/producer/run.ts
