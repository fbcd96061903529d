#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the npm workspace and every real component (cached under
# ~/.cache/spotify-pipeline), then lint, typecheck, unit and integration tests against real servers.
# Usage: npm test [-- vitest filters]    Unit tests alone, for the edit-test loop: npm run test:unit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
started=$SECONDS
SAY_PREFIX=test

require_node
say "npm workspace"
ensure_node_modules
say "real components (the first run builds them; later runs reuse the cache)"
bash scripts/install-components.sh
# Lint and typecheck failures are reported at the end, after the tests have run, so one run shows everything.
failed_steps=()
say "lint and format (biome)"
npx biome check . || failed_steps+=("lint (npx biome check --write . fixes formatting)")
say "dead code and dependencies (knip)"
npx knip --no-progress || failed_steps+=("dead code and dependencies (npx knip lists them)")
say "typecheck (tsc -b)"
npx tsc -b || failed_steps+=("typecheck (npx tsc -b)")
say "unit and integration tests (vitest)"
mkdir -p .local && rm -f .local/vitest-report.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.local/vitest-report.json "$@" || status=$?
((status == 0)) || failed_steps+=("tests")
# The unit suite on the other supported Node releases (its own node_modules each, cached between runs); the
# integration suites on them are run by hand: npm run test:node -- 24 --project integration.
if (($# == 0)); then
  for major in 22 24; do
    say "unit tests on node $major (scripts/test-node.sh)"
    bash scripts/test-node.sh "$major" --project unit || failed_steps+=("unit tests on node $major")
  done
fi
# One closing line that any CI can read, whatever the runner printed above it.
node -e '
  const r = require("./.local/vitest-report.json");
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || echo "0 passed, 1 failed (vitest wrote no report)"
if ((${#failed_steps[@]})); then
  say "FAILED after $((SECONDS - started))s: ${failed_steps[*]}"
  exit 1
fi
say "all passed in $((SECONDS - started))s"
