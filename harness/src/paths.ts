import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Versions from scripts/components.env: the installer and the harness read the same file. */
export function componentVersions(): Record<string, string> {
  const text = readFileSync(join(repoRoot, 'scripts/components.env'), 'utf8');
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries);
}

export const cacheDir = () => process.env.SP_CACHE ?? join(homedir(), '.cache/spotify-pipeline');

export interface ComponentPaths {
  java: string;
  kafkaLibs: string;
  versitygw: string;
  helm: string;
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  coredns: string;
  /** KEDA's config/ folder of its Go module: CRDs (crd/bases) and deployment manifests. */
  kedaConfig: string;
  /** KEDA's operator and its external-metrics API server (cmd/operator, cmd/adapter). */
  kedaOperator: string;
  kedaAdapter: string;
  /** The Prometheus Operator's CRD files (monitoring.coreos.com_*.yaml). */
  prometheusOperatorCrds: string;
  /** metrics-server's binary and its kustomize manifests (manifests/base). */
  metricsServer: string;
  metricsServerManifests: string;
  /** harness/node-tools built: the test node's pod sandbox, readiness probe and test server. */
  nodeTools: string;
  dbt: string;
  python: string;
  /** The Snowflake stand-in's venv: fakesnow's server and dbt with dbt-snowflake. */
  fakesnowPython: string;
  fakesnowDbt: string;
  postgresBin: string;
  airflowPython: string;
  buildah: string;
  runc: string;
  dockerRegistry: string;
  skaffold: string;
}

/** Where each installed component lives. Nothing is checked here; `requireComponent` checks one. */
export function componentPaths(): ComponentPaths {
  const v = componentVersions();
  const c = cacheDir();
  return {
    java: process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java',
    kafkaLibs: join(c, `kafka-${v.KAFKA_VERSION}`, 'libs'),
    versitygw: join(c, `versitygw-${v.VERSITYGW_VERSION}`, 'bin/versitygw'),
    helm: join(c, `helm-${v.HELM_VERSION}`, 'bin/helm'),
    etcd: join(c, `etcd-${v.ETCD_VERSION}`, 'bin/etcd'),
    kubeApiserver: join(c, `kube-${v.KUBE_VERSION}`, 'bin/kube-apiserver'),
    kubectl: join(c, `kube-${v.KUBE_VERSION}`, 'bin/kubectl'),
    kubelet: join(c, `kube-node-${v.KUBE_VERSION}`, 'bin/kubelet'),
    kubeControllerManager: join(c, `kube-node-${v.KUBE_VERSION}`, 'bin/kube-controller-manager'),
    kubeScheduler: join(c, `kube-node-${v.KUBE_VERSION}`, 'bin/kube-scheduler'),
    kubeProxy: join(c, `kube-node-${v.KUBE_VERSION}`, 'bin/kube-proxy'),
    coredns: join(c, `coredns-${v.COREDNS_VERSION}`, 'bin/coredns'),
    kedaConfig: join(c, `keda-config-${v.KEDA_VERSION}`),
    kedaOperator: join(c, `keda-${v.KEDA_VERSION}`, 'bin/keda'),
    kedaAdapter: join(c, `keda-${v.KEDA_VERSION}`, 'bin/keda-adapter'),
    prometheusOperatorCrds: join(c, `prometheus-operator-crds-${v.PROMETHEUS_OPERATOR_VERSION}`),
    metricsServer: join(c, `metrics-server-${v.METRICS_SERVER_VERSION}`, 'bin/metrics-server'),
    metricsServerManifests: join(c, `metrics-server-${v.METRICS_SERVER_VERSION}`, 'manifests'),
    nodeTools: join(c, `node-tools-${nodeToolsHash()}`, 'bin/sp-node-tools'),
    dbt: join(c, `dbt-${v.DBT_CORE_VERSION}-duckdb-${v.DUCKDB_VERSION}`, 'bin/dbt'),
    python: join(c, `dbt-${v.DBT_CORE_VERSION}-duckdb-${v.DUCKDB_VERSION}`, 'bin/python'),
    fakesnowPython: join(
      c,
      `fakesnow-${v.FAKESNOW_VERSION}-dbt-snowflake-${v.DBT_SNOWFLAKE_VERSION}`,
      'bin/python',
    ),
    fakesnowDbt: join(
      c,
      `fakesnow-${v.FAKESNOW_VERSION}-dbt-snowflake-${v.DBT_SNOWFLAKE_VERSION}`,
      'bin/dbt',
    ),
    postgresBin: findPostgresBin(),
    airflowPython: join(c, `airflow-${v.AIRFLOW_VERSION}`, 'bin/python'),
    buildah: '/usr/bin/buildah',
    runc: '/usr/sbin/runc',
    dockerRegistry: '/usr/bin/docker-registry',
    skaffold: join(c, `skaffold-${v.SKAFFOLD_VERSION}`, 'bin/skaffold'),
  };
}

/** The installer's cache key for harness/node-tools: the hash of its source, as `cat go.mod main.go | sha256sum`. */
export function nodeToolsHash(): string {
  const dir = join(repoRoot, 'harness/node-tools');
  const source = Buffer.concat([readFileSync(join(dir, 'go.mod')), readFileSync(join(dir, 'main.go'))]);
  return createHash('sha256').update(source).digest('hex').slice(0, 12);
}

function findPostgresBin(): string {
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  return '/usr/lib/postgresql/missing/bin';
}

/** Throws a message that says which install command fixes a missing component. */
export function requireComponent(path: string, component: string): string {
  if (!existsSync(path)) {
    // npm test builds the cluster's components while the other suites run (scripts/test.sh).
    const building =
      process.env.SP_CLUSTER_COMPONENTS_BUILDING === '1'
        ? ' (npm test is still building the test cluster\'s components: a suite that needs them belongs in the vitest project "cluster", vitest.config.ts)'
        : '';
    throw new Error(
      `${component} is not installed at ${path}: run scripts/install-components.sh ${component}${building}`,
    );
  }
  return path;
}
