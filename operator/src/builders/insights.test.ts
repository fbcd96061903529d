import { loadConfig } from '@spotify-pipeline/shared';
import { insightsEnvSchema } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { desiredWorkloads } from './index.js';
import { buildInsightsDeployment, buildInsightsService, insightsEnv } from './insights.js';
import { insightsRefusal } from './refusals.js';

type Container = {
  image: string;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
  resources: unknown;
};
type Deployment = {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
  };
};
const enabled = (insights: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) =>
  testContext({ insights: { enabled: true, ...insights }, ...spec });
const secretOf = (c: Container, name: string) => c.env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;

describe('the insights service on Kubernetes', () => {
  it('is not deployed unless the resource asks for it', () => {
    const ctx = testContext();
    expect(ctx.pipeline.spec.insights.enabled).toBe(false);
    expect(buildInsightsDeployment(ctx)).toBeNull();
    expect(buildInsightsService(ctx)).toBeNull();
    const children = desiredWorkloads(ctx).filter((c) => c.name === 'wrapped-insights');
    expect(children.map((c) => [c.kind, c.object])).toEqual([
      ['Deployment', null],
      ['Service', null],
      ['KafkaUser', null],
    ]);
  });

  it('is a restricted Deployment of the insights image with probes on /healthz and /readyz', () => {
    const deployment = buildInsightsDeployment(enabled({ replicas: 2 })) as unknown as Deployment;
    expect(deployment.metadata.name).toBe('wrapped-insights');
    expect(deployment.spec.replicas).toBe(2);
    const [container] = deployment.spec.template.spec.containers;
    expect(container!.image).toBe('insights:1');
    expect(container!.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container!.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container!.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container!.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(container!.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { memory: '512Mi' },
    });
    // The selector picks the template's pods, and the Service the same ones.
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels))
      expect(deployment.spec.template.metadata.labels[key]).toBe(value);
    const service = buildInsightsService(enabled()) as unknown as {
      spec: { selector: unknown; ports: unknown[]; type: string };
    };
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: deployment.spec.selector.matchLabels,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('reads the warehouse with its own read-only credentials when given, and reports the lake writer lag', () => {
    const ctx = enabled(
      { credentialsSecret: 'insights-ro', cacheSeconds: 10 },
      { warehouse: { type: 'postgres', credentialsSecret: 'pg-owner', database: 'spotify' } },
    );
    const [container] = (buildInsightsDeployment(ctx) as unknown as Deployment).spec.template.spec.containers;
    for (const key of ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD'])
      expect(secretOf(container!, key)).toEqual({ name: 'insights-ro', key });
    const { values, secrets } = insightsEnv(ctx);
    expect(values).toMatchObject({
      WAREHOUSE: 'postgres',
      POSTGRES_DB: 'spotify',
      INSIGHTS_CACHE_SECONDS: '10',
      KAFKA_BROKERS: 'events-kafka-bootstrap.kafka.svc:9092',
      INSIGHTS_LAG_GROUP_ID: 'music.wrapped.lake-writer',
      INSIGHTS_LAG_TOPIC: 'listening-events',
    });
    // Credentials never appear as plain values.
    expect(Object.keys(values).filter((k) => /PASSWORD|USER|SECRET/.test(k))).toEqual([]);
    const placeholders = Object.fromEntries(secrets.filter((s) => !s.optional).map((s) => [s.name, 'x']));
    expect(loadConfig(insightsEnvSchema, { ...values, ...placeholders }).warehouse).toMatchObject({
      type: 'postgres',
      postgres: { POSTGRES_DB: 'spotify', POSTGRES_USER: 'x' },
    });
    expect(insightsRefusal(ctx)).toBeNull();
  });

  it("defaults to the warehouse's own credentials Secret", () => {
    const [container] = (buildInsightsDeployment(enabled()) as unknown as Deployment).spec.template.spec
      .containers;
    expect(secretOf(container!, 'SNOWFLAKE_PASSWORD')).toEqual({
      name: 'snowflake-creds',
      key: 'SNOWFLAKE_PASSWORD',
      optional: true,
    });
    expect(container!.env.find((e) => e.name === 'SNOWFLAKE_DATABASE')?.value).toBe('SPOTIFY');
  });
});
