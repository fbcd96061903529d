import { createHash } from 'node:crypto';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import { buildConfigMap, kafkaCredentialEnv, lakeCredentialEnv } from './config-map.js';
import { type BuildContext, type ChildObject, childMeta, names, selectorLabels } from './context.js';
import {
  containerSecurityContext,
  METRICS_PORT,
  opsProbes,
  podSecurityContext,
  tmpMount,
  tmpVolume,
} from './pod-security.js';

export const CONFIG_HASH_ANNOTATION = 'pipeline.spotify-pipeline.io/config-hash';

/** Pods restart when their ConfigMap changes: the hash of its data is part of the pod template. */
function configHash(ctx: BuildContext): string {
  return createHash('sha256')
    .update(JSON.stringify(buildConfigMap(ctx).data))
    .digest('hex')
    .slice(0, 16);
}

function podTemplate(
  ctx: BuildContext,
  component: string,
  container: Record<string, unknown>,
  probed = true,
) {
  return {
    metadata: {
      labels: { ...childMeta(ctx.pipeline, '', component).labels },
      annotations: {
        [CONFIG_HASH_ANNOTATION]: configHash(ctx),
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(METRICS_PORT),
      },
    },
    spec: {
      securityContext: podSecurityContext,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 30,
      volumes: [tmpVolume],
      containers: [
        {
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
          envFrom: [{ configMapRef: { name: names.config(ctx.pipeline) } }],
          securityContext: containerSecurityContext,
          volumeMounts: [tmpMount],
          ...(probed ? opsProbes : {}),
          ...container,
        },
      ],
    },
  };
}

/**
 * The lake-writer Deployment. With an autoscaler in charge spec.replicas is left out, so server-side apply
 * never takes the field back from the HPA/KEDA that sets it.
 */
export function buildLakeWriterDeployment(ctx: BuildContext): ChildObject {
  const { pipeline, plan } = ctx;
  const { lakeWriter } = pipeline.spec;
  const resources = lakeWriter.resources ?? { cpu: '500m', memory: '512Mi' };
  const spec: Record<string, unknown> = {
    selector: { matchLabels: selectorLabels(pipeline, 'lake-writer') },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    revisionHistoryLimit: 3,
    template: podTemplate(ctx, 'lake-writer', {
      name: 'lake-writer',
      image: ctx.images.lakeWriter,
      env: [...lakeCredentialEnv(ctx), ...kafkaCredentialEnv(ctx)],
      resources: {
        requests: { cpu: resources.cpu, memory: resources.memory },
        limits: { memory: resources.memory },
      },
    }),
  };
  if (lakeWriter.autoscaler === 'none') spec.replicas = plan.lakeWriters.min;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec,
  };
}

/** The simulator produces in real time at the source's rate to the contract topics (its CLI, not env). */
function simulatorArgs(ctx: BuildContext, source: SourceSpec): string[] {
  return [
    '--mode',
    'realtime',
    '--rate',
    String(source.eventsPerSecond),
    '--listeners',
    String(Math.min(ctx.pipeline.spec.audience.users, 1_000_000_000)),
    '--metrics-port',
    String(METRICS_PORT),
  ];
}

/**
 * A real-time simulator holds about 90 open sessions per event/s of its rate, near 1 KiB each, on top of a
 * ~200 MiB process (measured in bench/producer); so its memory grows with the rate: 256 MiB + 100 KiB per event/s.
 */
export function sourceResources(source: SourceSpec): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  const memoryMi = source.type === 'simulator' ? 256 + Math.ceil(source.eventsPerSecond / 10) : 256;
  return { requests: { cpu: '250m', memory: `${memoryMi}Mi` }, limits: { memory: `${memoryMi}Mi` } };
}

/**
 * One Deployment per entry of spec.sources. Kafka settings come from the pipeline's ConfigMap (the same
 * KAFKA_* names every client reads); a source's own credentials from its Secret.
 */
export function buildSourceDeployments(ctx: BuildContext): ChildObject[] {
  const { pipeline } = ctx;
  return pipeline.spec.sources.map((source, index) => {
    const env: Array<Record<string, unknown>> = [
      { name: 'KAFKA_CLIENT_ID', value: names.source(pipeline, index) },
      ...kafkaCredentialEnv(ctx),
    ];
    const container: Record<string, unknown> = {
      name: 'source',
      image: ctx.images.sources[source.type],
      env,
      resources: sourceResources(source),
    };
    if (source.type === 'simulator') container.args = simulatorArgs(ctx, source);
    if (source.credentialsSecret)
      container.envFrom = [
        { configMapRef: { name: names.config(pipeline) } },
        { secretRef: { name: source.credentialsSecret } },
      ];
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: childMeta(pipeline, names.source(pipeline, index), `source-${index}`),
      spec: {
        replicas: source.replicas,
        selector: { matchLabels: selectorLabels(pipeline, `source-${index}`) },
        revisionHistoryLimit: 3,
        // Only the simulator serves /healthz and /readyz; the other sources are not probed.
        template: podTemplate(ctx, `source-${index}`, container, source.type === 'simulator'),
      },
    };
  });
}

/** Keeps at least one lake writer through voluntary disruptions; null when there is nothing to protect. */
export function buildLakeWriterPdb(ctx: BuildContext): ChildObject | null {
  const { pipeline, plan } = ctx;
  if (plan.lakeWriters.max < 2) return null;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(pipeline, 'lake-writer') } },
  };
}
