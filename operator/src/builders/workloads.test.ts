import { lakeWriterEnvSchema } from '@spotify-pipeline/shared/lake/index';
import { describe, expect, it } from 'vitest';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import { buildConfigMap, lakeWriterConfigProblem, quantityToBytes } from './config-map.js';
import { testContext } from './test-fixtures.js';
import {
  buildLakeWriterDeployment,
  buildLakeWriterPdb,
  buildSourceDeployments,
  sourceResources,
} from './workloads.js';

type Container = {
  env: Array<{ name: string; valueFrom?: unknown }>;
  securityContext: Record<string, unknown>;
  ports: unknown[];
  livenessProbe: unknown;
  readinessProbe: unknown;
  envFrom: unknown[];
};
const containerOf = (d: unknown) =>
  (
    (d as { spec: unknown }).spec as {
      template: { spec: { containers: Container[]; securityContext: unknown } };
    }
  ).template.spec;

describe('lake-writer configuration', () => {
  it('is accepted by the lake writer own env schema once the Secret values are present', () => {
    const cm = buildConfigMap(testContext());
    const parsed = lakeWriterEnvSchema.safeParse({
      ...(cm.data as object),
      LAKE_ACCESS_KEY: 'a',
      LAKE_SECRET_KEY: 'b',
    });
    expect(parsed.success ? null : parsed.error.issues).toBeNull();
    expect(cm.data).toMatchObject({
      KAFKA_BROKERS: 'events-kafka-bootstrap.kafka.svc:9092',
      LAKE_ENDPOINT: 'http://minio.minio:9000',
      LAKE_BUCKET: 'spotify-lake',
      LAKE_WRITER_BATCH_MAX_BYTES: String(64 * 1024 * 1024),
    });
    expect(JSON.stringify(cm)).not.toMatch(/SECRET_KEY|ACCESS_KEY/);
  });

  it("reports what the lake writer's schema would refuse at start", () => {
    expect(lakeWriterConfigProblem(testContext())).toBeNull();
    // the CRD's pattern only checks the scheme; the lake writer wants a whole URL
    const bad = { lake: { endpoint: 'http://', bucket: 'spotify-lake', credentialsSecret: 'lake-creds' } };
    expect(lakeWriterConfigProblem(testContext(bad))).toMatch(/LAKE_ENDPOINT/);
  });

  it('parses byte quantities', () => {
    expect(quantityToBytes('64Mi')).toBe(67_108_864);
    expect(quantityToBytes('1G')).toBe(1e9);
    expect(() => quantityToBytes('lots')).toThrow('not a byte quantity');
  });
});

describe('buildLakeWriterDeployment', () => {
  it('is secure, probed, reads credentials from the Secret and is owned by the pipeline', () => {
    const d = buildLakeWriterDeployment(testContext({ lakeWriter: { autoscaler: 'none', minReplicas: 2 } }));
    const pod = containerOf(d);
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
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'wrapped-config' } }]);
    expect(c.env.find((e) => e.name === 'LAKE_SECRET_KEY')?.valueFrom).toEqual({
      secretKeyRef: { name: 'lake-creds', key: 'LAKE_SECRET_KEY' },
    });
    expect((d.spec as { replicas?: number }).replicas).toBe(2);
    expect(d.metadata.ownerReferences?.[0]?.uid).toBe('uid-1');
  });

  it.each(['hpa', 'keda'])('leaves spec.replicas to the %s autoscaler', (autoscaler) => {
    const d = buildLakeWriterDeployment(testContext({ lakeWriter: { autoscaler } }));
    expect(d.spec).not.toHaveProperty('replicas');
  });

  it('changes the pod template when the configuration changes (rolls the pods)', () => {
    const hash = (ctx: ReturnType<typeof testContext>) =>
      JSON.stringify(
        (buildLakeWriterDeployment(ctx).spec as { template: { metadata: unknown } }).template.metadata,
      );
    expect(hash(testContext())).not.toBe(hash(testContext({ lakeWriter: { batch: { maxEvents: 10 } } })));
  });
});

describe('sources and PDB', () => {
  it('builds one Deployment per source with its rate', () => {
    const [d, ...rest] = buildSourceDeployments(testContext());
    expect(rest).toHaveLength(0);
    expect(d?.metadata.name).toBe('wrapped-source-0');
    const container = containerOf(d).containers[0] as Container & { args: string[]; image: string };
    expect(container.image).toBe('sim:1');
    expect(container.args).toEqual([
      '--mode',
      'realtime',
      '--rate',
      '2000',
      '--listeners',
      '5000000',
      '--metrics-port',
      '8080',
    ]);
  });

  it("sizes a simulator's memory to its rate, since open sessions grow with it", () => {
    const [d] = buildSourceDeployments(testContext());
    const container = containerOf(d).containers[0] as Container & {
      resources: ReturnType<typeof sourceResources>;
    };
    expect(container.resources.limits.memory).toBe('456Mi');
    expect(container.resources.requests.memory).toBe('456Mi');
    expect(sourceResources({ type: 'spotify_api', eventsPerSecond: 2000 } as SourceSpec).limits.memory).toBe(
      '256Mi',
    );
  });

  it('protects lake writers with a PDB unless there can only be one', () => {
    expect(buildLakeWriterPdb(testContext())?.spec).toMatchObject({ maxUnavailable: 1 });
    expect(buildLakeWriterPdb(testContext({ lakeWriter: { maxReplicas: 1 } }))).toBeNull();
  });
});
