#!/usr/bin/env bash
# Creates a venv with Airflow and the Kubernetes provider, cached under $SP_CACHE/airflow-<version>, for the
# DagBag import test. Idempotent (a ".done" marker). Airflow's constraints file is not reachable from here,
# so the versions are pinned by hand.
set -euo pipefail
SP_CACHE="${SP_CACHE:-$HOME/.cache/spotify-pipeline}"
AIRFLOW_VERSION="${AIRFLOW_VERSION:-3.3.2}"
dir="$SP_CACHE/airflow-$AIRFLOW_VERSION"
if [[ -f "$dir/.done" ]]; then echo "[airflow] $AIRFLOW_VERSION: cached"; exit 0; fi
echo "[airflow] $AIRFLOW_VERSION: creating a venv (a few minutes, several hundred MB)"
rm -rf "$dir" && python3 -m venv "$dir"
"$dir/bin/pip" install -q --upgrade pip >/dev/null
"$dir/bin/pip" install -q "apache-airflow==$AIRFLOW_VERSION" apache-airflow-providers-cncf-kubernetes
touch "$dir/.done"
