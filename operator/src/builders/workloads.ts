import { type BuildContext, type ChildObject, childMeta, names, selectorLabels } from './context.js';
import { lakeWriterEnv } from './lake-writer-env.js';
import {
  containerSecurityContext,
  METRICS_PORT,
  opsProbes,
  podSecurityContext,
  tmpMount,
  tmpVolume,
} from './pod-security.js';
import { containerEnv, nodeHeapEnv } from './workload-env.js';

/**
 * A workload's pod: restricted security, a writable /tmp only, its whole configuration in `env` (a changed
 * setting changes the template, so the pods roll). `probed`: it serves /healthz and /readyz on the metrics port.
 */
export function podTemplate(
  ctx: BuildContext,
  component: string,
  container: Record<string, unknown>,
  options: { probed: boolean; restartPolicy?: 'Never' },
) {
  return {
    metadata: {
      labels: { ...childMeta(ctx.pipeline, '', component).labels },
      // No empty map: the API server drops it, and the template would never read back as applied.
      ...(options.probed
        ? { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT) } }
        : {}),
    },
    spec: {
      securityContext: podSecurityContext,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 30,
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
      volumes: [tmpVolume],
      containers: [
        {
          imagePullPolicy: 'IfNotPresent',
          securityContext: containerSecurityContext,
          volumeMounts: [tmpMount],
          ...(options.probed
            ? { ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }], ...opsProbes }
            : {}),
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
    template: podTemplate(
      ctx,
      'lake-writer',
      {
        name: 'lake-writer',
        image: ctx.images.lakeWriter,
        env: [...containerEnv(lakeWriterEnv(ctx)), nodeHeapEnv(resources.memory)],
        resources: {
          requests: { cpu: resources.cpu, memory: resources.memory },
          limits: { memory: resources.memory },
        },
      },
      { probed: true },
    ),
  };
  if (lakeWriter.autoscaler === 'none') spec.replicas = plan.lakeWriters.min;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec,
  };
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
