import { type BuildContext, type ChildObject, childMeta, kafkaBootstrap, names } from './context.js';

/** The external metric an HPA scales on: consumer-group lag as exported by a Kafka exporter + adapter. */
export const LAG_METRIC = 'kafka_consumergroup_lag';

function bounds({ plan }: BuildContext) {
  // Never more lake writers than partitions: an extra consumer in the group would sit idle.
  const max = Math.min(plan.lakeWriters.max, plan.partitions);
  return { min: Math.min(plan.lakeWriters.min, max), max };
}

export function buildHpa(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'hpa') return null;
  const { min, max } = bounds(ctx);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.lakeWriter(pipeline) },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'External',
          external: {
            metric: {
              name: LAG_METRIC,
              selector: {
                matchLabels: {
                  consumergroup: names.consumerGroup(pipeline),
                  topic: pipeline.spec.kafka.topic.name,
                },
              },
            },
            target: { type: 'AverageValue', averageValue: String(pipeline.spec.lakeWriter.lagThreshold) },
          },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}

export function buildScaledObject(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'keda') return null;
  const { min, max } = bounds(ctx);
  const metadata: Record<string, string> = {
    bootstrapServers: kafkaBootstrap(pipeline),
    consumerGroup: names.consumerGroup(pipeline),
    topic: pipeline.spec.kafka.topic.name,
    lagThreshold: String(pipeline.spec.lakeWriter.lagThreshold),
    offsetResetPolicy: 'earliest',
    allowIdleConsumers: 'false',
  };
  const trigger: Record<string, unknown> = { type: 'kafka', metadata };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.lakeWriter(pipeline) },
      minReplicaCount: min,
      maxReplicaCount: max,
      pollingInterval: 15,
      cooldownPeriod: 300,
      triggers: [trigger],
    },
  };
}
