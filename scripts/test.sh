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
mkdir -p .local && rm -f .local/vitest-report*.json

run_vitest() { # report-file [vitest arguments]
  local report=$1
  shift
  npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
}

failed_steps=()
if (($#)); then
  say "real components (the first run builds them; later runs reuse the cache)"
  bash scripts/install-components.sh
else
  say "real components but the test cluster's (the first run builds them; later runs reuse the cache)"
  bash scripts/install-components.sh base
  # The test cluster's components (kubelet, CoreDNS, skaffold, KEDA: about 25 minutes of Go builds when cold) build
  # in the background at the lowest CPU priority while everything else is tested; their suites (vitest project
  # "cluster") run last. When they are cached this takes a second. A session of its own, so that an interrupted
  # run stops the build with it.
  say "the test cluster's components: building in the background (lines marked [cluster components])"
  setsid bash -o pipefail -c "nice -n 19 bash scripts/install-components.sh cluster 2>&1 | sed -u 's/^/[cluster components] /'" &
  cluster_components=$!
  trap 'kill -- -"$cluster_components" 2>/dev/null || true' EXIT
  export SP_CLUSTER_COMPONENTS_BUILDING=1
fi

# Lint and typecheck failures are reported at the end, after the tests have run, so one run shows everything.
say "lint and format (biome)"
npx biome check . || failed_steps+=("lint (npx biome check --write . fixes formatting)")
say "dead code and dependencies (knip)"
npx knip --no-progress || failed_steps+=("dead code and dependencies (npx knip lists them)")
say "typecheck (tsc -b)"
npx tsc -b || failed_steps+=("typecheck (npx tsc -b)")

if (($#)); then
  say "tests (vitest $*)"
  run_vitest .local/vitest-report.json "$@" || failed_steps+=("tests")
else
  say "unit and integration tests (vitest projects unit and integration)"
  run_vitest .local/vitest-report.json --project unit --project integration || failed_steps+=("tests")
  # The unit suite on the other supported Node releases (26 is what the images run; each has its own node_modules,
  # cached between runs); the integration suites on them are run by hand: npm run test:node -- 24 --project integration.
  for major in 22 24 26; do
    say "unit tests on node $major (scripts/test-node.sh)"
    bash scripts/test-node.sh "$major" --project unit || failed_steps+=("unit tests on node $major")
  done
  say "waiting for the test cluster's components"
  unset SP_CLUSTER_COMPONENTS_BUILDING
  if wait "$cluster_components"; then
    say "the test cluster's suites (vitest project cluster)"
    run_vitest .local/vitest-report-cluster.json --project cluster || failed_steps+=("cluster tests")
  else
    failed_steps+=("the test cluster's components (scripts/install-components.sh cluster)")
  fi
fi

# One closing line that any CI can read, whatever the runner printed above it.
node -e '
  const { existsSync } = require("node:fs");
  const reports = [".local/vitest-report.json", ".local/vitest-report-cluster.json"].filter((f) => existsSync(f)).map((f) => require(`./${f}`));
  const sum = (key) => reports.reduce((total, r) => total + r[key], 0);
  const failed = sum("numFailedTests") + (reports.length ? 0 : 1);
  console.log(`\n${sum("numPassedTests")} passed, ${failed} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
'
if ((${#failed_steps[@]})); then
  say "FAILED after $((SECONDS - started))s: ${failed_steps[*]}"
  exit 1
fi
say "all passed in $((SECONDS - started))s"
