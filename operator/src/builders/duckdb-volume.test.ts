import { loadConfig } from '@spotify-pipeline/shared';
import { insightsEnvSchema, loaderEnvSchema } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { DUCKDB_FILES } from './duckdb-volume.js';
import { desiredSchedule } from './index.js';
import { buildInsightsDeployment, insightsEnv } from './insights.js';
import { loaderEnv } from './loader-env.js';
import { insightsRefusal, loaderRefusal } from './refusals.js';
import { buildAirflowDagConfigMap, buildLoadCronJob, buildTransformCronJob } from './schedule.js';

type PodSpec = {
  volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }>;
  containers: Array<{
    env: Array<{ name: string; value?: string }>;
    volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  }>;
  affinity?: {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: Array<{
        labelSelector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> };
        topologyKey: string;
      }>;
    };
  };
};
const jobPod = (job: unknown) =>
  (job as { spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } } }).spec.jobTemplate.spec.template
    .spec;
const deploymentPod = (d: unknown) => (d as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const envOf = (pod: PodSpec) =>
  Object.fromEntries(
    pod.containers[0]!.env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])),
  );
const duckdb = (spec: Record<string, unknown> = {}, warehouse: Record<string, unknown> = {}) =>
  testContext({ warehouse: { type: 'duckdb', ...warehouse }, ...spec });
const claimOf = (ctx: ReturnType<typeof testContext>) =>
  desiredSchedule(ctx).find((c) => c.kind === 'PersistentVolumeClaim')?.object as
    | { metadata: { name: string; ownerReferences?: unknown[] }; spec: Record<string, unknown> }
    | undefined;

describe('DuckDB on a volume', () => {
  it('claims a ReadWriteOnce volume of the default size, or the size and class the resource names', () => {
    expect(claimOf(duckdb())).toMatchObject({
      metadata: { name: 'wrapped-duckdb' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    });
    expect(claimOf(duckdb())?.spec).not.toHaveProperty('storageClassName');
    expect(
      claimOf(duckdb({}, { duckdb: { storage: '50Gi', storageClassName: 'fast-ssd' } }))?.spec,
    ).toMatchObject({ resources: { requests: { storage: '50Gi' } }, storageClassName: 'fast-ssd' });
  });

  it('outlives the pipeline under Retain (no owner reference) and goes with it under Delete', () => {
    expect(claimOf(duckdb())?.metadata.ownerReferences).toBeUndefined();
    expect(claimOf(duckdb({ deletionPolicy: 'Delete' }))?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'SpotifyPipeline', name: 'wrapped', controller: true }),
    ]);
  });

  it('is neither claimed nor deleted for another warehouse (a switch away keeps the file)', () => {
    for (const type of ['postgres', 'snowflake'])
      expect(
        desiredSchedule(testContext({ warehouse: { type, credentialsSecret: 'c', database: 'd' } })).some(
          (c) => c.kind === 'PersistentVolumeClaim',
        ),
      ).toBe(false);
    expect(JSON.stringify(buildTransformCronJob(testContext()))).not.toContain('persistentVolumeClaim');
  });

  it('has one writer: the transform job loads, builds and publishes the snapshot on the volume; no load job', () => {
    const ctx = duckdb({ insights: { enabled: true } });
    expect(buildLoadCronJob(ctx)).toBeNull();
    expect(desiredSchedule(ctx).find((c) => c.name === 'wrapped-load')?.object).toBeNull();
    const pod = jobPod(buildTransformCronJob(ctx));
    expect(pod.volumes).toContainEqual({
      name: 'duckdb',
      persistentVolumeClaim: { claimName: 'wrapped-duckdb' },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: 'duckdb',
      mountPath: '/var/lib/spotify-pipeline/duckdb',
    });
    const env = envOf(pod);
    expect(env).toMatchObject({
      DUCKDB_PATH: DUCKDB_FILES.warehouse,
      DUCKDB_SNAPSHOT_PATH: DUCKDB_FILES.snapshot,
    });
    // The loader takes what it is given (and the files are on the mount).
    expect(loaderRefusal(ctx)).toBeNull();
    const { values, secrets } = loaderEnv(ctx);
    const placeholders = Object.fromEntries(secrets.map((s) => [s.name, 'x']));
    const config = loadConfig(loaderEnvSchema, { ...values, ...placeholders });
    expect(config.warehouse).toMatchObject({
      type: 'duckdb',
      duckdb: { DUCKDB_PATH: '/var/lib/spotify-pipeline/duckdb/warehouse.duckdb' },
    });
  });

  it('lets insights read the snapshot from the same volume, read-only, on the same node as the writer', () => {
    const ctx = duckdb({ insights: { enabled: true } });
    const pod = deploymentPod(buildInsightsDeployment(ctx));
    expect(pod.volumes).toContainEqual({
      name: 'duckdb',
      persistentVolumeClaim: { claimName: 'wrapped-duckdb', readOnly: true },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: 'duckdb',
      mountPath: '/var/lib/spotify-pipeline/duckdb',
      readOnly: true,
    });
    expect(envOf(pod).DUCKDB_PATH).toBe(DUCKDB_FILES.snapshot);
    expect(envOf(pod)).not.toHaveProperty('DUCKDB_SNAPSHOT_PATH');
    expect(insightsRefusal(ctx)).toBeNull();
    expect(loadConfig(insightsEnvSchema, insightsEnv(ctx).values).warehouse).toMatchObject({
      duckdb: { DUCKDB_PATH: '/var/lib/spotify-pipeline/duckdb/gold-snapshot.duckdb' },
    });
    // Both pods require the other's node: a ReadWriteOnce volume attaches to one node.
    const writer = jobPod(buildTransformCronJob(ctx)).affinity;
    expect(pod.affinity).toEqual(writer);
    const [term] = pod.affinity!.podAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(term!.topologyKey).toBe('kubernetes.io/hostname');
    expect(term!.labelSelector.matchExpressions).toEqual([
      { key: 'pipeline.spotify-pipeline.io/name', operator: 'In', values: ['wrapped'] },
      { key: 'app.kubernetes.io/component', operator: 'In', values: ['transform', 'insights'] },
    ]);
  });

  it('puts no volume or affinity on the pods of a warehouse elsewhere', () => {
    const ctx = testContext({ insights: { enabled: true } });
    for (const pod of [deploymentPod(buildInsightsDeployment(ctx)), jobPod(buildTransformCronJob(ctx))]) {
      expect(pod.volumes.map((v) => v.name)).toEqual(['tmp']);
      expect(pod.affinity).toBeUndefined();
      expect(envOf(pod)).not.toHaveProperty('DUCKDB_PATH');
    }
  });

  it('mounts the volume in both Airflow tasks (load >> transform, one run at a time)', () => {
    const cm = buildAirflowDagConfigMap(duckdb({ schedule: { orchestrator: 'airflow' } }));
    const dag = (cm?.data as Record<string, string> | undefined)?.['wrapped_dag.py'] ?? '';
    const claim =
      'volumes=[k8s.V1Volume(name="duckdb", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="wrapped-duckdb"))]';
    expect(dag.split(claim)).toHaveLength(3);
    expect(dag).toContain('max_active_runs=1');
    expect(dag).toContain(`k8s.V1EnvVar(name="DUCKDB_PATH", value="${DUCKDB_FILES.warehouse}")`);
  });
});
