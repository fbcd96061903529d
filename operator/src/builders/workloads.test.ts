import { loadConfig } from '@spotify-pipeline/shared';
import { lakeWriterEnvSchema } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { lakeWriterEnv } from './lake-writer-env.js';
import { lakeWriterRefusal } from './refusals.js';
import { quantityToBytes } from './workload-env.js';
import { buildLakeWriterDeployment, buildLakeWriterPdb } from './workloads.js';

type Container = {
  env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  securityContext: Record<string, unknown>;
  ports: unknown[];
  livenessProbe: unknown;
  readinessProbe: unknown;
  envFrom?: unknown[];
};
const podOf = (d: unknown) =>
  (
    (d as { spec: unknown }).spec as {
      template: { spec: { containers: Container[]; securityContext: unknown } };
    }
  ).template.spec;

describe('lake-writer configuration', () => {
  it('is accepted by the lake writer own env schema once the Secret values are present', () => {
    const { values } = lakeWriterEnv(testContext());
    const config = loadConfig(lakeWriterEnvSchema, { ...values, LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
    expect(config).toMatchObject({
      KAFKA_BROKERS: ['events-kafka-bootstrap.kafka.svc:9092'],
      LAKE_ENDPOINT: 'http://minio.minio:9000',
      LAKE_BUCKET: 'spotify-lake',
      LAKE_WRITER_BATCH_MAX_BYTES: 64 * 1024 * 1024,
      LAKE_WRITER_GROUP_ID: 'music.wrapped.lake-writer',
      LAKE_WRITER_TOPIC: 'listening-events',
      LAKE_WRITER_DLQ_TOPIC: 'listening-events.dlq',
    });
  });

  it("writes the pipeline's catalog topics beside its events, each named after the events topic", () => {
    const ctx = testContext({ kafka: { strimzi: { cluster: 'events' }, topic: { name: 'team-a.plays' } } });
    const { values } = lakeWriterEnv(ctx);
    expect(values.LAKE_WRITER_CATALOG_TOPICS).toBe(
      'team-a.plays.catalog.artists,team-a.plays.catalog.albums,team-a.plays.catalog.tracks',
    );
    const config = loadConfig(lakeWriterEnvSchema, { ...values, LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
    expect(config.LAKE_WRITER_CATALOG_TOPICS).toHaveLength(3);
    expect(lakeWriterRefusal(ctx)).toBeNull();
  });

  it("reports what the lake writer's schema would refuse at start", () => {
    expect(lakeWriterRefusal(testContext())).toBeNull();
    // the CRD's pattern only checks the scheme; the lake writer wants a whole URL
    const bad = { lake: { endpoint: 'http://', bucket: 'spotify-lake', credentialsSecret: 'lake-creds' } };
    expect(lakeWriterRefusal(testContext(bad))).toMatch(/LAKE_ENDPOINT/);
  });

  it('parses byte quantities', () => {
    expect(quantityToBytes('64Mi')).toBe(67_108_864);
    expect(quantityToBytes('1G')).toBe(1e9);
    expect(() => quantityToBytes('lots')).toThrow('not a byte quantity');
  });
});

describe('buildLakeWriterDeployment', () => {
  it('is secure, probed, has its settings in env and credentials from the Secret, and is owned', () => {
    const d = buildLakeWriterDeployment(testContext({ lakeWriter: { autoscaler: 'none', minReplicas: 2 } }));
    const pod = podOf(d);
    const c = pod.containers[0] as Container;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
    });
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe).toBeDefined();
    expect(c.readinessProbe).toBeDefined();
    expect(c.envFrom).toBeUndefined();
    expect(c.env.find((e) => e.name === 'LAKE_WRITER_TOPIC')?.value).toBe('listening-events');
    expect(c.env.find((e) => e.name === 'LAKE_SECRET_KEY')).toEqual({
      name: 'LAKE_SECRET_KEY',
      valueFrom: { secretKeyRef: { name: 'lake-creds', key: 'LAKE_SECRET_KEY' } },
    });
    expect((d.spec as { replicas?: number }).replicas).toBe(2);
    expect(d.metadata.ownerReferences?.[0]?.uid).toBe('uid-1');
  });

  it('keeps V8 inside the memory limit and lets a busy writer answer its probes late', () => {
    const d = buildLakeWriterDeployment(
      testContext({ lakeWriter: { resources: { cpu: '100m', memory: '256Mi' } } }),
    );
    const c = podOf(d).containers[0] as Container;
    expect(c.env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe('--max-old-space-size=153');
    expect(c.livenessProbe).toMatchObject({ timeoutSeconds: 10 });
    expect(c.readinessProbe).toMatchObject({ timeoutSeconds: 5 });
  });

  it.each(['hpa', 'keda'])('leaves spec.replicas to the %s autoscaler', (autoscaler) => {
    const d = buildLakeWriterDeployment(testContext({ lakeWriter: { autoscaler } }));
    expect(d.spec).not.toHaveProperty('replicas');
  });

  it('changes the pod template when the configuration changes (rolls the pods)', () => {
    const template = (ctx: ReturnType<typeof testContext>) =>
      JSON.stringify((buildLakeWriterDeployment(ctx).spec as { template: unknown }).template);
    expect(template(testContext())).not.toBe(
      template(testContext({ lakeWriter: { batch: { maxEvents: 10 } } })),
    );
  });

  it('protects lake writers with a PDB unless there can only be one', () => {
    expect(buildLakeWriterPdb(testContext())?.spec).toMatchObject({ maxUnavailable: 1 });
    expect(buildLakeWriterPdb(testContext({ lakeWriter: { maxReplicas: 1 } }))).toBeNull();
  });
});
