import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { componentPaths, type KubeInstance, runKubectl, startKubeApiServer } from '@spotify-pipeline/harness';
import { createLogger, loadConfig } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { operatorEnvSchema, workloadImages } from '../src/config.js';
import type { KubeClient, KubeObject } from '../src/kube/client.js';
import type { ResourceRef } from '../src/kube/resources.js';
import { imagesFor, startOperator } from '../src/operator.js';
import { createNamespace, testClient, waitFor } from './kube-helpers.js';

const run = promisify(execFile);
const chart = resolve(import.meta.dirname, '../../charts/spotify-pipeline');
const ciValues = readdirSync(join(chart, 'ci')).filter((f) => f.endsWith('-values.yaml'));
const RELEASE_NS = 'sp-system';
const SA = 'sp-spotify-pipeline-operator';

let kube: KubeInstance;
let client: KubeClient;
const helm = (...args: string[]) => run(componentPaths().helm, args, { maxBuffer: 32 * 1024 * 1024 });
/** helm install's and upgrade's arguments for the release: sp, from the chart, into the test API server. */
const release = () => [
  'sp',
  chart,
  '-n',
  RELEASE_NS,
  '--create-namespace',
  '--kubeconfig',
  kube.kubeconfigPath,
];
/** Installed, or upgraded in place if an earlier test installed it: each test stands alone. */
const installChart = () => helm('upgrade', '--install', ...release());
const uninstallChart = () => helm('uninstall', 'sp', '-n', RELEASE_NS, '--kubeconfig', kube.kubeconfigPath);
/** Whether the object is in the API server. */
const exists = (ref: ResourceRef) => client.getOrNull(ref).then((o) => o !== null);
/** The operator's reconcile errors so far, of every kind. */
const reconcileErrors = async (registry: Registry) => {
  const errors = await registry.getSingleMetric('spotify_pipeline_operator_reconcile_errors_total')?.get();
  return errors?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
};

beforeAll(async () => {
  kube = await startKubeApiServer();
  client = testClient(kube.kubeconfigPath);
}, 240_000);

afterAll(async () => {
  client?.close();
  await kube?.stop();
});

describe('Helm chart', () => {
  it.each(ciValues)('lints and renders with %s', async (values) => {
    await helm('lint', chart, '--strict', '-f', join(chart, 'ci', values));
    const { stdout } = await helm(
      'template',
      'sp',
      chart,
      '-n',
      RELEASE_NS,
      '--kube-version',
      '1.34.0',
      '-f',
      join(chart, 'ci', values),
    );
    const docs = parseAllDocuments(stdout)
      .map((d) => d.toJS())
      .filter(Boolean) as Array<{
      kind: string;
      spec?: { template?: { spec?: Record<string, unknown> } };
    }>;
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const pod = deployment?.spec?.template?.spec as {
      securityContext: Record<string, unknown>;
      containers: Array<{ securityContext: Record<string, unknown> }>;
    };
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0]?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('passes every image, by digest when given, to the operator, which takes them as its settings', async () => {
    const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
    const set = [
      `image.repository=127.0.0.1:5000/sp/operator,image.digest=${digest(1)}`,
      `images.simulator.repository=127.0.0.1:5000/sp/simulator,images.simulator.digest=${digest(2)}`,
      'images.spotifyPoller.tag=dev',
      `images.lakeWriter.repository=127.0.0.1:5000/sp/lake-writer,images.lakeWriter.tag=x,images.lakeWriter.digest=${digest(3)}`,
    ].join(',');
    const { stdout } = await helm('template', 'sp', chart, '-n', RELEASE_NS, '--set', set);
    const deployment = (
      parseAllDocuments(stdout).map((d) => d.toJS()) as Array<{ kind?: string } | null>
    ).find((d) => d?.kind === 'Deployment') as {
      spec: {
        template: {
          spec: { containers: Array<{ image: string; env: Array<{ name: string; value?: string }> }> };
        };
      };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.image).toBe(`127.0.0.1:5000/sp/operator@${digest(1)}`);
    const env = Object.fromEntries(
      container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
    );
    expect(workloadImages(loadConfig(operatorEnvSchema, env))).toEqual({
      sources: {
        simulator: `127.0.0.1:5000/sp/simulator@${digest(2)}`,
        spotify_api: 'ghcr.io/spotify-pipeline/spotify-poller:dev',
        history_import: 'ghcr.io/spotify-pipeline/history-import:0.1.0',
      },
      lakeWriter: `127.0.0.1:5000/sp/lake-writer@${digest(3)}`,
      loader: 'ghcr.io/spotify-pipeline/loader:0.1.0',
      transformer: 'ghcr.io/spotify-pipeline/loader:0.1.0',
      insights: 'ghcr.io/spotify-pipeline/insights:0.1.0',
    });
    await expect(helm('template', 'sp', chart, '--set', 'images.loader.digest=sha256:abc')).rejects.toThrow(
      /images\/loader\/digest/,
    );
  });

  it("renders as a subchart, with the parent chart's global values", async () => {
    const parent = mkdtempSync(join(tmpdir(), 'sp-parent-'));
    try {
      writeFileSync(
        join(parent, 'Chart.yaml'),
        'apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: spotify-pipeline\n    version: 0.1.0\n',
      );
      writeFileSync(
        join(parent, 'values.yaml'),
        'global:\n  imageRegistry: registry.example.com\nspotify-pipeline:\n  replicaCount: 1\n',
      );
      cpSync(chart, join(parent, 'charts', 'spotify-pipeline'), { recursive: true });
      const { stdout } = await helm('template', 'platform', parent, '-n', RELEASE_NS);
      const deployment = (
        parseAllDocuments(stdout).map((d) => d.toJS()) as Array<{
          kind?: string;
          spec?: { replicas?: number };
        } | null>
      ).find((d) => d?.kind === 'Deployment');
      expect(deployment?.spec?.replicas).toBe(1);
      await expect(
        helm('template', 'platform', parent, '--set', 'spotify-pipeline.operator.workerz=3'),
      ).rejects.toThrow(/workerz/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('rejects values the schema does not know', async () => {
    const bad = join(tmpdir(), `sp-bad-values-${process.pid}.yaml`);
    writeFileSync(bad, 'replicaCount: two\noperator:\n  workerz: 3\n');
    await expect(helm('template', 'sp', chart, '-f', bad)).rejects.toThrow(/replicaCount|workerz/);
  });

  it('installs into the API server; uninstall keeps the CRD', async () => {
    await installChart();
    const crd = await client.get<KubeObject>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'spotifypipelines.pipeline.spotify-pipeline.io',
    });
    expect(crd.metadata?.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const dep = await client.get<KubeObject & { spec?: { replicas?: number } }>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: RELEASE_NS,
      name: SA,
    });
    expect(dep.spec?.replicas).toBe(2);
  });

  it("the chart's least-privilege RBAC is enough for the operator to do its work", async () => {
    await installChart();
    // Run the operator as the chart's ServiceAccount, against pipelines in another namespace.
    const saConfig = impersonatingKubeconfig();
    await createNamespace(client, 'team-a');
    const registry = new Registry();
    const operator = startOperator({
      kubeconfigPath: saConfig,
      logger: createLogger({ name: 'helm-rbac-test', level: 'warn' }),
      registry,
      images: imagesFor('registry.local/sp', 'test'),
      leaderElection: {
        namespace: RELEASE_NS,
        name: SA,
        identity: 'rbac-test',
        leaseDurationMs: 4000,
        renewEveryMs: 500,
      },
      controller: { notReadyRequeueMs: 60_000 },
    });
    try {
      await client.apply(rbacPipeline('team-a') as never);
      const ref = pipelineRef('team-a');
      const p = await waitFor('status written', async () => {
        const got = await client.get<
          KubeObject & { status?: { conditions?: Array<{ type: string; reason: string }> } }
        >(ref);
        return got.status?.conditions?.length ? got : null;
      });
      const reasons = Object.fromEntries((p.status?.conditions ?? []).map((c) => [c.type, c.reason]));
      expect(reasons).toMatchObject({
        TopicsReady: 'StrimziNotInstalled',
        LakeReady: 'LakeSecretMissing',
        ScheduleReady: 'SecretMissing',
      });
      expect(
        await exists({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'team-a',
          name: 'rbac-lake-writer',
        }),
      ).toBe(true);
      // DuckDB: one writer CronJob, and the claim for its file (persistentvolumeclaims in the chart's rules).
      expect(
        await exists({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          namespace: 'team-a',
          name: 'rbac-transform',
        }),
      ).toBe(true);
      expect(
        await exists({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: 'team-a',
          name: 'rbac-duckdb',
        }),
      ).toBe(true);
      const lease = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: RELEASE_NS,
        name: SA,
      });
      expect(lease.spec?.holderIdentity).toBe('rbac-test');
      expect(await reconcileErrors(registry)).toBe(0);
    } finally {
      await operator.stop();
    }
    await uninstallChart();
    expect(
      await exists({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'spotifypipelines.pipeline.spotify-pipeline.io',
      }),
    ).toBe(true);
    expect(
      await exists({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: RELEASE_NS,
        name: SA,
      }),
    ).toBe(false);
  });
  it('with operator.watchNamespaces, reconciles the listed namespaces only and reads Secrets only there', async () => {
    await createNamespace(client, 'team-w');
    await createNamespace(client, 'team-x');
    await helm('install', ...release(), '--set', 'operator.watchNamespaces={team-w}');
    const canI = async (verb: string, resource: string, namespace: string) => {
      const { stdout } = await runKubectl(
        [
          'auth',
          'can-i',
          verb,
          resource,
          '-n',
          namespace,
          '--as',
          `system:serviceaccount:${RELEASE_NS}:${SA}`,
        ],
        { kubeconfig: kube.kubeconfigPath },
      );
      return stdout.trim();
    };
    expect(await canI('get', 'secrets', 'team-w')).toBe('yes');
    expect(await canI('get', 'secrets', 'team-x')).toBe('no');
    expect(await canI('list', 'spotifypipelines', 'team-x')).toBe('no');
    expect(await canI('update', 'deployments', 'team-w')).toBe('no');

    const registry = new Registry();
    const operator = startOperator({
      kubeconfigPath: impersonatingKubeconfig(),
      logger: createLogger({ name: 'helm-rbac-namespaced', level: 'warn' }),
      registry,
      images: imagesFor('registry.local/sp', 'test'),
      controller: { notReadyRequeueMs: 60_000, watchNamespaces: ['team-w'] },
    });
    try {
      for (const namespace of ['team-w', 'team-x']) await client.apply(rbacPipeline(namespace) as never);
      const reconciled = await waitFor('status written in team-w', async () => {
        const got = await client.get<KubeObject & { status?: { conditions?: unknown[] } }>(
          pipelineRef('team-w'),
        );
        return got.status?.conditions?.length ? got : null;
      });
      expect(reconciled.status?.conditions?.length).toBeGreaterThan(0);
      expect(
        await exists({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          namespace: 'team-w',
          name: 'rbac-transform',
        }),
      ).toBe(true);
      const untouched = await client.get<KubeObject & { status?: unknown }>(pipelineRef('team-x'));
      expect(untouched.status).toBeUndefined();
      expect(await reconcileErrors(registry)).toBe(0);
    } finally {
      await operator.stop();
    }
    await uninstallChart();
  });
});

/** The test cluster's kubeconfig, acting as the chart's ServiceAccount (impersonation). */
function impersonatingKubeconfig(): string {
  const config = parse(readFileSync(kube.kubeconfigPath, 'utf8')) as {
    users: Array<{ user: Record<string, unknown> }>;
  };
  for (const u of config.users) u.user.as = `system:serviceaccount:${RELEASE_NS}:${SA}`;
  const path = join(tmpdir(), `sp-sa-kubeconfig-${process.pid}.yaml`);
  writeFileSync(path, stringify(config));
  return path;
}

const pipelineRef = (namespace: string) => ({
  apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
  kind: 'SpotifyPipeline',
  namespace,
  name: 'rbac',
});

function rbacPipeline(namespace: string) {
  return {
    apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
    kind: 'SpotifyPipeline',
    metadata: { name: 'rbac', namespace },
    spec: {
      audience: { users: 1000 },
      kafka: { strimzi: { cluster: 'events' } },
      lakeWriter: { autoscaler: 'none' },
      lake: { endpoint: 'http://127.0.0.1:1', bucket: 'rbac-lake', credentialsSecret: 'none' },
      warehouse: { type: 'duckdb' },
    },
  };
}
