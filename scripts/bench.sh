#!/usr/bin/env bash
# Runs one benchmark (or all) from source, then regenerates docs/benchmarks.md from bench/results/.
# Usage: npm run bench -- <lake-writer|operator|producer|warehouse|all> [benchmark options]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
available=$(cd bench && ls -d */ | tr -d / | grep -v results | tr '\n' ' ')
name="${1:-}"
if [[ -z "$name" || ! ( -f "bench/$name/run.ts" || "$name" == all ) ]]; then
  echo "usage: npm run bench -- <name|all> [options]; benchmarks: $available" >&2
  exit 2
fi
shift
bash scripts/install-components.sh kafka versitygw etcd kube dbt image-tools node-base
# The Kafka clients compared with kafkajs, in their own npm project outside the clone.
if [[ "$name" == kafka-clients || "$name" == all ]]; then
  bash scripts/install-components.sh kafka-clients node-runtimes
fi
# The autoscaling benchmark runs on the test cluster, with KEDA in pods.
if [[ "$name" == autoscaling || "$name" == all ]]; then
  bash scripts/install-components.sh apt kube-node coredns node-tools keda
fi
# The memory benchmark runs the writer compiled, as its image does.
if [[ "$name" == lake-writer-memory || "$name" == all ]]; then
  npx tsc -b
fi
for bench in $([[ "$name" == all ]] && echo "$available" || echo "$name"); do
  echo "[bench] $bench"
  node --conditions=source --import tsx "bench/$bench/run.ts" "$@"
done
npx tsx scripts/bench-table.ts
