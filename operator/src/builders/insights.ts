import type { insightsEnvSchema } from '@spotify-pipeline/shared/workloads';
import { type BuildContext, type ChildObject, childMeta, names, selectorLabels } from './context.js';
import { DUCKDB_FILES, duckDbPodParts, usesDuckDbVolume } from './duckdb-volume.js';
import { kafkaUserName } from './kafka-users.js';
import { warehouseEnv } from './loader-env.js';
import { containerSecurityContext, podSecurityContext, tmpMount, tmpVolume } from './pod-security.js';
import { containerEnv, type EnvName, kafkaSecretEnv, kafkaValues, type WorkloadEnv } from './workload-env.js';

const INSIGHTS_PORT = 8080;
const INSIGHTS_SERVICE_PORT = 80;

/**
 * The insights service's env (its own `insightsEnvSchema`): the warehouse, read with the insights
 * credentials Secret when the resource names one (a read-only role) or, for DuckDB, the gold snapshot on
 * the DuckDB volume; and Kafka for the lake writer's lag.
 */
export function insightsEnv(ctx: BuildContext): WorkloadEnv<EnvName<typeof insightsEnvSchema>> {
  const { pipeline } = ctx;
  const { insights, kafka } = pipeline.spec;
  const warehouse = warehouseEnv(
    ctx,
    insights.credentialsSecret ?? pipeline.spec.warehouse?.credentialsSecret,
  );
  return {
    values: {
      ...warehouse.values,
      ...(usesDuckDbVolume(ctx) ? { DUCKDB_PATH: DUCKDB_FILES.snapshot } : {}),
      ...kafkaValues(ctx, names.insights(pipeline)),
      INSIGHTS_HOST: '0.0.0.0',
      INSIGHTS_PORT: String(INSIGHTS_PORT),
      INSIGHTS_CACHE_SECONDS: String(insights.cacheSeconds),
      INSIGHTS_LAG_GROUP_ID: names.consumerGroup(pipeline),
      INSIGHTS_LAG_TOPIC: kafka.topic.name,
    },
    secrets: [...warehouse.secrets, ...kafkaSecretEnv(ctx, kafkaUserName.insights(pipeline))],
  };
}

const wanted = ({ pipeline }: BuildContext) => pipeline.spec.insights.enabled && !!pipeline.spec.warehouse;

/**
 * The insights Deployment, or null when the resource does not ask for it. Ready means it can read gold
 * (/readyz is 503 with the reason until the first transform has built it); liveness is the process alone.
 */
export function buildInsightsDeployment(ctx: BuildContext): ChildObject | null {
  if (!wanted(ctx)) return null;
  const { pipeline } = ctx;
  const { insights } = pipeline.spec;
  const resources = insights.resources ?? { cpu: '250m', memory: '512Mi' };
  const duckdb = usesDuckDbVolume(ctx) ? duckDbPodParts(ctx, 'read') : null;
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    failureThreshold,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(pipeline, names.insights(pipeline), 'insights'),
    spec: {
      replicas: insights.replicas,
      selector: { matchLabels: selectorLabels(pipeline, 'insights') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      revisionHistoryLimit: 3,
      template: {
        metadata: {
          labels: { ...childMeta(pipeline, '', 'insights').labels },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(INSIGHTS_PORT) },
        },
        spec: {
          securityContext: podSecurityContext,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          volumes: duckdb ? [tmpVolume, duckdb.volume] : [tmpVolume],
          ...(duckdb ? { affinity: duckdb.affinity } : {}),
          containers: [
            {
              name: 'insights',
              image: ctx.images.insights,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: INSIGHTS_PORT, protocol: 'TCP' }],
              env: containerEnv(insightsEnv(ctx)),
              securityContext: containerSecurityContext,
              volumeMounts: duckdb ? [tmpMount, duckdb.mount] : [tmpMount],
              livenessProbe: probe('/healthz', 10, 3),
              readinessProbe: probe('/readyz', 5, 2),
              startupProbe: probe('/healthz', 2, 30),
              resources: {
                requests: { cpu: resources.cpu, memory: resources.memory },
                limits: { memory: resources.memory },
              },
            },
          ],
        },
      },
    },
  };
}

/** The Service in front of it: `kubectl port-forward svc/<pipeline>-insights 8080:80`, or an Ingress to it. */
export function buildInsightsService(ctx: BuildContext): ChildObject | null {
  if (!wanted(ctx)) return null;
  const { pipeline } = ctx;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(pipeline, names.insights(pipeline), 'insights'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(pipeline, 'insights'),
      ports: [{ name: 'http', port: INSIGHTS_SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
