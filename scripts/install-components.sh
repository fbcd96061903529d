#!/usr/bin/env bash
# Obtains every real component the pipeline and its tests use, through the package registries only,
# and caches each outside the clone under $SP_CACHE/<component>-<version>. Idempotent: a component
# whose cache folder holds a ".done" marker is reused as it is.
#
# Usage: scripts/install-components.sh [component ...]   (default: all)
# Components: apt kafka versitygw helm kube etcd dbt airflow
set -euo pipefail

SP_CACHE="${SP_CACHE:-$HOME/.cache/spotify-pipeline}"
# shellcheck source=components.env
source "$(dirname "${BASH_SOURCE[0]}")/components.env"

mkdir -p "$SP_CACHE"
step() { printf '[install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }
cached() { [[ -f "$1/.done" ]]; }

install_apt() {
  local missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if ((${#missing[@]} == 0)); then step "apt: postgresql and chromium present"; return; fi
  need apt-get "install ${missing[*]} with your system's package manager"
  step "apt: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_kafka() {
  local dir="$SP_CACHE/kafka-$KAFKA_VERSION"
  if cached "$dir"; then step "kafka $KAFKA_VERSION: cached"; return; fi
  need mvn "install Maven (Debian: apt-get install maven) and Java 17"
  need java "install Java 17 or newer"
  step "kafka $KAFKA_VERSION: fetching broker, tools and log4j jars from Maven Central"
  rm -rf "$dir" && mkdir -p "$dir/libs"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.spotify-pipeline</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime) \
    || die "Maven could not fetch Kafka $KAFKA_VERSION; check that Maven Central is reachable"
  step "kafka: $(ls "$dir/libs" | wc -l) jars"
  touch "$dir/.done"
}

go_install() { # name version module-path
  local name=$1 version=$2 pkg=$3 dir="$SP_CACHE/$1-$2"
  if cached "$dir"; then step "$name $version: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "$name $version: building from the Go module proxy (a few minutes)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  GOBIN="$dir/bin" GOFLAGS=-buildvcs=false go install "$pkg@$version"
  touch "$dir/.done"
}

# kube-apiserver and etcd are built in throwaway wrapper modules: their own go.mod files point at
# sibling folders (staging/, ../api) that a module download does not have, so the wrapper replaces
# each with the published module of the same release.
install_kube() {
  local dir="$SP_CACHE/kube-$KUBE_VERSION"
  if cached "$dir"; then step "kube-apiserver $KUBE_VERSION: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "kube-apiserver $KUBE_VERSION: building (cold build takes 10-25 minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  local modfile
  modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "module spotify-pipeline/kube-wrapper"
    echo "go 1.24.0"
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    grep -oE '^\s*k8s.io/[a-z0-9-]+ => ./staging' "$modfile" | awk -v v="$KUBE_STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
  } >"$dir/src/go.mod"
  echo 'package tools
import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"' >"$dir/src/tools.go"
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true
   cd "$dir/src" && GOFLAGS=-mod=mod go build -o "$dir/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  touch "$dir/.done"
}

install_etcd() {
  local dir="$SP_CACHE/etcd-$ETCD_VERSION"
  if cached "$dir"; then step "etcd $ETCD_VERSION: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "etcd $ETCD_VERSION: building (a few minutes)"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  cat >"$dir/src/go.mod" <<MOD
module spotify-pipeline/etcd-wrapper
go 1.24.0
require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat >"$dir/src/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy && GOFLAGS=-mod=mod go build -o "$dir/bin/etcd" .)
  touch "$dir/.done"
}

install_dbt() {
  local dir="$SP_CACHE/dbt-$DBT_CORE_VERSION-duckdb-$DUCKDB_VERSION"
  if cached "$dir"; then step "dbt $DBT_CORE_VERSION: cached"; return; fi
  need python3 "install Python 3.10 or newer"
  step "dbt $DBT_CORE_VERSION: creating a venv with dbt-duckdb and dbt-postgres"
  rm -rf "$dir" && python3 -m venv "$dir"
  "$dir/bin/pip" install -q --upgrade pip >/dev/null
  "$dir/bin/pip" install -q "dbt-core==$DBT_CORE_VERSION" "dbt-duckdb==$DBT_DUCKDB_VERSION" "dbt-postgres==$DBT_POSTGRES_VERSION" "duckdb==$DUCKDB_VERSION"
  touch "$dir/.done"
}

# Airflow only checks that the generated DAGs import (DagBag); airflow/install.sh pins its versions.
install_airflow() {
  need python3 "install Python 3.10 or newer"
  AIRFLOW_VERSION="$AIRFLOW_VERSION" SP_CACHE="$SP_CACHE" bash "$(dirname "${BASH_SOURCE[0]}")/../airflow/install.sh"
}

main() {
  local components=("$@")
  ((${#components[@]})) || components=(apt kafka versitygw helm etcd kube dbt airflow)
  for c in "${components[@]}"; do
    case "$c" in
      apt) install_apt ;;
      kafka) install_kafka ;;
      versitygw) go_install versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw/cmd/versitygw ;;
      helm) go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm ;;
      kube) install_kube ;;
      etcd) install_etcd ;;
      dbt) install_dbt ;;
      airflow) install_airflow ;;
      *) die "unknown component '$c' (known: apt kafka versitygw helm kube etcd dbt airflow)" ;;
    esac
  done
  step "all components ready in $SP_CACHE"
}

main "$@"
