import type { IKafkaUser } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaUser';
import { catalogGroupId } from '@spotify-pipeline/shared/workloads';
import type { SourceSpec, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type BuildContext, type ChildObject, childMeta, names, strimziNamespace } from './context.js';
import {
  catalogTopicNames,
  deadLetterTopicName,
  STRIMZI_API_VERSION,
  STRIMZI_CLUSTER_LABEL,
} from './kafka-topic.js';

type Acl = NonNullable<IKafkaUser['spec']['authorization']>['acls'][number];
type Operation = Acl['operations'][number];

/** Who talks to Kafka, each as its own KafkaUser: what it does decides its ACLs (`workloadAcls`). */
export type KafkaWorkload = 'source' | 'catalog-source' | 'lake-writer' | 'insights' | 'keda';

/**
 * The simulator publishes its catalog beside the events; the Spotify poller and the history import write
 * listening events only (the track details ride in each event).
 */
export const sourceWorkload = (source: Pick<SourceSpec, 'type'>): KafkaWorkload =>
  source.type === 'simulator' ? 'catalog-source' : 'source';

export type StrimziAuthentication = 'tls' | 'scram-sha-512';

/** The Strimzi listener the workloads connect to, or null outside Strimzi mode. */
export function strimziListener(pipeline: SpotifyPipeline) {
  const { kafka } = pipeline.spec;
  return kafka.mode === 'strimzi' && kafka.strimzi ? kafka.strimzi.listener : null;
}

/** How the workloads log in to the Strimzi cluster, or null when they do not (no authentication, external). */
export function strimziAuthentication(pipeline: SpotifyPipeline): StrimziAuthentication | null {
  const auth = strimziListener(pipeline)?.authentication;
  return auth === 'tls' || auth === 'scram-sha-512' ? auth : null;
}

/** Strimzi's Secret of the cluster CA's certificate (`ca.crt`), which signed the brokers' certificates. */
export function clusterCaSecret(pipeline: SpotifyPipeline): string {
  return `${pipeline.spec.kafka.strimzi?.cluster ?? ''}-cluster-ca-cert`;
}

/** The KafkaUser each workload logs in as; its credentials Secret has the same name (Strimzi's default). */
export const kafkaUserName = {
  source: (p: SpotifyPipeline, index: number) => names.source(p, index),
  lakeWriter: (p: SpotifyPipeline) => names.lakeWriter(p),
  insights: (p: SpotifyPipeline) => names.insights(p),
  keda: (p: SpotifyPipeline) => names.kedaKafkaUser(p),
};

const topic = (name: string, operations: Operation[]): Acl => ({
  resource: { type: 'topic', name, patternType: 'literal' },
  operations,
});
const group = (name: string, operations: Operation[]): Acl => ({
  resource: { type: 'group', name, patternType: 'literal' },
  operations,
});

/**
 * Only what each workload does, on its own topics and group: sources write events and dead letters (Write
 * covers the idempotent producer since Kafka 3.0), a catalog source its catalog topics too; the lake writer
 * reads events in its group and each catalog topic in that topic's group, and writes dead letters; the
 * insights service and KEDA read the group's offsets and the topic's end offsets.
 */
export function workloadAcls(pipeline: SpotifyPipeline, workload: KafkaWorkload): Acl[] {
  const events = pipeline.spec.kafka.topic.name;
  const dlq = deadLetterTopicName(events);
  const catalogs = catalogTopicNames(events);
  const consumers = names.consumerGroup(pipeline);
  const write = (name: string) => topic(name, ['Write', 'Describe']);
  switch (workload) {
    case 'source':
      return [write(events), write(dlq)];
    case 'catalog-source':
      return [write(events), write(dlq), ...catalogs.map(write)];
    case 'lake-writer':
      return [
        topic(events, ['Read', 'Describe']),
        group(consumers, ['Read']),
        topic(dlq, ['Write', 'Describe']),
        ...catalogs.flatMap((catalog) => [
          topic(catalog, ['Read', 'Describe']),
          group(catalogGroupId(consumers, catalog), ['Read']),
        ]),
      ];
    case 'insights':
    case 'keda':
      return [topic(events, ['Describe']), group(consumers, ['Describe'])];
  }
}

export function buildKafkaUser(ctx: BuildContext, name: string, workload: KafkaWorkload): ChildObject | null {
  const { pipeline } = ctx;
  const authentication = strimziAuthentication(pipeline);
  const cluster = pipeline.spec.kafka.strimzi?.cluster;
  if (!authentication || !cluster) return null;
  const meta = childMeta(pipeline, name, 'kafka-user', strimziNamespace(pipeline));
  meta.labels[STRIMZI_CLUSTER_LABEL] = cluster;
  const spec: IKafkaUser['spec'] = {
    authentication: { type: authentication },
    authorization: { type: 'simple', acls: workloadAcls(pipeline, workload) },
  };
  return { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaUser', metadata: meta, spec };
}
