# Shared by the README's commands. Sourced, not run.
say() { printf '[%s %s +%ss] %s\n' "${SAY_PREFIX:-sp}" "$(date +%H:%M:%S)" "$((SECONDS - ${started:-0}))" "$*"; }

require_node() {
  command -v node >/dev/null 2>&1 || { echo "Node.js is missing: install Node 20.19 or newer" >&2; exit 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`Node ${process.versions.node} is too old: install Node 20.19 or newer`); process.exit(1) }'
}

# npm ci only when package-lock.json changed since the last install.
ensure_node_modules() {
  local lock_hash
  lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ "$(cat node_modules/.sp-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
    npm ci --no-audit --no-fund
    echo "$lock_hash" >node_modules/.sp-lock-hash
  else
    echo "node_modules matches package-lock.json"
  fi
}
