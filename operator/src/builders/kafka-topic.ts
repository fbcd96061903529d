import { createHash } from 'node:crypto';
import type { IKafkaTopic } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaTopic';
import { contractTopicNames } from '@spotify-pipeline/shared';
import { type BuildContext, type ChildObject, childMeta, strimziNamespace } from './context.js';

/** What the builders write; sent as the newest version the cluster serves (kube/served-version.ts). */
export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1';
export const STRIMZI_CLUSTER_LABEL = 'strimzi.io/cluster';
/** Strimzi stops managing (and on delete keeps) a topic whose KafkaTopic says "false". */
export const STRIMZI_MANAGED_ANNOTATION = 'strimzi.io/managed';

const MAX_NAME = 253;

/**
 * The KafkaTopic resource name of a Kafka topic: the topic name itself when it is a valid Kubernetes name,
 * otherwise lower-cased, with anything else turned into '-', and a stable hash of the exact topic name
 * appended, so two topics never map to one resource (`Listening_Events` -> `listening-events-1a2b3c4d`).
 */
export function kafkaTopicResourceName(topic: string): string {
  const mapped = topic
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (mapped === topic && mapped.length <= MAX_NAME) return mapped;
  const hash = createHash('sha256').update(topic).digest('hex').slice(0, 8);
  return `${(mapped || 'topic').slice(0, MAX_NAME - 9).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}

export const deadLetterTopicName = (topic: string) => `${topic}.dlq`;

/** The SOURCE_TOPIC_PREFIX under which a source writes the pipeline's catalog topics. */
export const catalogTopicPrefix = (topic: string) => `${topic}.`;

/**
 * The pipeline's compacted catalog topics, `<topic>.catalog.artists|albums|tracks`: named after its events
 * topic so that two pipelines never share one, and spelled as the shared contract spells them for a source.
 */
export function catalogTopicNames(topic: string): string[] {
  const { artist, album, track } = contractTopicNames(catalogTopicPrefix(topic), topic);
  return [artist, album, track];
}

function topicObject({ pipeline, plan }: BuildContext, topicName: string): ChildObject | null {
  const { kafka } = pipeline.spec;
  if (kafka.mode !== 'strimzi' || !kafka.strimzi) return null;
  const meta = childMeta(
    pipeline,
    kafkaTopicResourceName(topicName),
    'kafka-topic',
    strimziNamespace(pipeline),
  );
  meta.labels[STRIMZI_CLUSTER_LABEL] = kafka.strimzi.cluster;
  const spec: NonNullable<IKafkaTopic['spec']> = {
    topicName,
    partitions: plan.partitions,
    replicas: kafka.topic.replicas,
    config: {
      'retention.ms': String(kafka.topic.retentionHours * 3_600_000),
      'cleanup.policy': 'delete',
      'min.insync.replicas': String(Math.max(1, Math.min(2, kafka.topic.replicas - 1))),
    },
  };
  return { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaTopic', metadata: meta, spec };
}

/** Strimzi KafkaTopic for the listening events (Strimzi mode only; null otherwise). */
export const buildKafkaTopic = (ctx: BuildContext) => topicObject(ctx, ctx.pipeline.spec.kafka.topic.name);

/** The dead-letter topic beside it: same partitions and settings. */
export const buildDeadLetterTopic = (ctx: BuildContext) =>
  topicObject(ctx, deadLetterTopicName(ctx.pipeline.spec.kafka.topic.name));
