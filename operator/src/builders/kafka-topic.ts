import { type BuildContext, type ChildObject, childMeta, names, strimziNamespace } from './context.js';

export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1beta2';
export const STRIMZI_CLUSTER_LABEL = 'strimzi.io/cluster';

/** Strimzi KafkaTopic for the listening events (Strimzi mode only; null otherwise). */
export function buildKafkaTopic({ pipeline, plan }: BuildContext): ChildObject | null {
  const { kafka } = pipeline.spec;
  if (kafka.mode !== 'strimzi' || !kafka.strimzi) return null;
  const meta = childMeta(pipeline, names.kafkaTopic(pipeline), 'kafka-topic', strimziNamespace(pipeline));
  meta.labels[STRIMZI_CLUSTER_LABEL] = kafka.strimzi.cluster;
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaTopic',
    metadata: meta,
    spec: {
      topicName: kafka.topic.name,
      partitions: plan.partitions,
      replicas: kafka.topic.replicas,
      config: {
        'retention.ms': String(kafka.topic.retentionHours * 3_600_000),
        'cleanup.policy': 'delete',
        'min.insync.replicas': String(Math.max(1, Math.min(2, kafka.topic.replicas - 1))),
      },
    },
  };
}

/** The dead-letter topic beside it: same partitions, longer retention for inspection. */
export function buildDeadLetterTopic(ctx: BuildContext): ChildObject | null {
  const topic = buildKafkaTopic(ctx);
  if (!topic) return null;
  const spec = topic.spec as { topicName: string; config: Record<string, string> };
  return {
    ...topic,
    metadata: { ...topic.metadata, name: `${topic.metadata.name}.dlq` },
    spec: { ...spec, topicName: `${spec.topicName}.dlq` },
  };
}
