#!/usr/bin/env bash
# Runs the warehouse benchmark from source (workspace packages resolve to their TypeScript sources).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node --conditions=source --import tsx bench/warehouse/run.ts
