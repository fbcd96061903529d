import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { componentPaths, type KubeInstance, startKubeApiServer } from '@spotify-pipeline/harness';
import { createLogger, loadConfig } from '@spotify-pipeline/shared';
import yaml from 'js-yaml';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorEnvSchema, workloadImages } from '../src/config.js';
import type { KubeClient, KubeObject } from '../src/kube/client.js';
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
    const docs = yaml.loadAll(stdout).filter(Boolean) as Array<{
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
    const deployment = (yaml.loadAll(stdout) as Array<{ kind?: string } | null>).find(
      (d) => d?.kind === 'Deployment',
    ) as {
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
    });
    await expect(helm('template', 'sp', chart, '--set', 'images.loader.digest=sha256:abc')).rejects.toThrow(
      /images\/loader\/digest/,
    );
  });

  it('rejects values the schema does not know', async () => {
    const bad = join(tmpdir(), `sp-bad-values-${process.pid}.yaml`);
    writeFileSync(bad, 'replicaCount: two\noperator:\n  workerz: 3\n');
    await expect(helm('template', 'sp', chart, '-f', bad)).rejects.toThrow(/replicaCount|workerz/);
  });

  it('installs into the API server; uninstall keeps the CRD', async () => {
    await helm(
      'install',
      'sp',
      chart,
      '-n',
      RELEASE_NS,
      '--create-namespace',
      '--kubeconfig',
      kube.kubeconfigPath,
    );
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
    // Run the operator as the chart's ServiceAccount (impersonation), against pipelines in another namespace.
    const config = yaml.load(readFileSync(kube.kubeconfigPath, 'utf8')) as {
      users: Array<{ user: Record<string, unknown> }>;
    };
    for (const u of config.users) u.user.as = `system:serviceaccount:${RELEASE_NS}:${SA}`;
    const saConfig = join(tmpdir(), `sp-sa-kubeconfig-${process.pid}.yaml`);
    writeFileSync(saConfig, yaml.dump(config));
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
      await client.apply({
        apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
        kind: 'SpotifyPipeline',
        metadata: { name: 'rbac', namespace: 'team-a' },
        spec: {
          audience: { users: 1000 },
          kafka: { strimzi: { cluster: 'events' } },
          lakeWriter: { autoscaler: 'none' },
          lake: { endpoint: 'http://127.0.0.1:1', bucket: 'rbac-lake', credentialsSecret: 'none' },
          warehouse: { type: 'duckdb' },
        },
      } as never);
      const ref = {
        apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
        kind: 'SpotifyPipeline',
        namespace: 'team-a',
        name: 'rbac',
      };
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
        ScheduleReady: 'Scheduled',
      });
      expect(
        await client.getOrNull({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'team-a',
          name: 'rbac-lake-writer',
        }),
      ).not.toBeNull();
      expect(
        await client.getOrNull({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          namespace: 'team-a',
          name: 'rbac-load',
        }),
      ).not.toBeNull();
      const lease = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: RELEASE_NS,
        name: SA,
      });
      expect(lease.spec?.holderIdentity).toBe('rbac-test');
      const errors = await registry
        .getSingleMetric('spotify_pipeline_operator_reconcile_errors_total')
        ?.get();
      expect(errors?.values.reduce((sum, v) => sum + v.value, 0) ?? 0).toBe(0);
    } finally {
      await operator.stop();
    }
    await helm('uninstall', 'sp', '-n', RELEASE_NS, '--kubeconfig', kube.kubeconfigPath);
    expect(
      await client.getOrNull({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'spotifypipelines.pipeline.spotify-pipeline.io',
      }),
    ).not.toBeNull();
    expect(
      await client.getOrNull({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: RELEASE_NS, name: SA }),
    ).toBeNull();
  });
});
