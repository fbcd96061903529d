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

/** Every topic the pipeline owns, named after its events topic (first). */
export const pipelineTopicNames = (topic: string) => [
  topic,
  deadLetterTopicName(topic),
  ...catalogTopicNames(topic),
];

/** One Kafka topic of the pipeline, as both Strimzi and the admin API make it. */
export interface PipelineTopic {
  name: string;
  partitions: number;
  /** The topic config that says how long records stay (Strimzi's KafkaTopic adds min.insync.replicas). */
  config: Record<string, string>;
}

/**
 * A catalog is small (thousands to a few hundred thousand records, rewritten only when a source restarts)
 * and read by one consumer per topic, so more partitions would buy nothing. The count is fixed rather than
 * following the plan because adding partitions to a compacted topic moves keys: an artist's older record
 * would stay on its former partition, never compacted away by the newer one.
 */
export const CATALOG_PARTITIONS = 3;

/**
 * Every topic the pipeline owns, events topic first: the events and their dead letters kept for
 * spec.kafka.topic.retentionHours on the planned partitions, the catalog topics compacted (the latest record
 * per id is kept for good: it is the dimension row).
 */
export function pipelineTopics({ pipeline, plan }: BuildContext): PipelineTopic[] {
  const { name, retentionHours } = pipeline.spec.kafka.topic;
  const retained = {
    partitions: plan.partitions,
    config: { 'retention.ms': String(retentionHours * 3_600_000), 'cleanup.policy': 'delete' },
  };
  const compacted = { partitions: CATALOG_PARTITIONS, config: { 'cleanup.policy': 'compact' } };
  return [
    { name, ...retained },
    { name: deadLetterTopicName(name), ...retained },
    ...catalogTopicNames(name).map((catalog) => ({ name: catalog, ...compacted })),
  ];
}

function topicObject({ pipeline }: BuildContext, topic: PipelineTopic): ChildObject | null {
  const { kafka } = pipeline.spec;
  if (kafka.mode !== 'strimzi' || !kafka.strimzi) return null;
  const meta = childMeta(
    pipeline,
    kafkaTopicResourceName(topic.name),
    'kafka-topic',
    strimziNamespace(pipeline),
  );
  meta.labels[STRIMZI_CLUSTER_LABEL] = kafka.strimzi.cluster;
  const spec: NonNullable<IKafkaTopic['spec']> = {
    topicName: topic.name,
    partitions: topic.partitions,
    replicas: kafka.topic.replicas,
    config: {
      ...topic.config,
      'min.insync.replicas': String(Math.max(1, Math.min(2, kafka.topic.replicas - 1))),
    },
  };
  return { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaTopic', metadata: meta, spec };
}

/** Strimzi KafkaTopics of every topic of the pipeline, events topic first (Strimzi mode only; empty otherwise). */
export const buildKafkaTopics = (ctx: BuildContext): ChildObject[] =>
  pipelineTopics(ctx)
    .map((topic) => topicObject(ctx, topic))
    .filter((t) => t !== null);
