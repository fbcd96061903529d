#!/usr/bin/env bash
# Runs the lake writer benchmark from source (workspace packages resolve to their TypeScript sources).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TSX_TSCONFIG_PATH=services/lake-writer/tsconfig.run.json
exec node --import tsx bench/lake-writer/run.ts
