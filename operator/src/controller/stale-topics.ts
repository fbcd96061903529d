import { MANAGED_BY, PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL } from '../builders/context.js';
import {
  STRIMZI_API_VERSION,
  STRIMZI_CLUSTER_LABEL,
  STRIMZI_MANAGED_ANNOTATION,
} from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';

/** On a KafkaTopic no pipeline owns any more: it may be adopted by a pipeline naming its topic. */
export const RETAINED_ANNOTATION = 'pipeline.spotify-pipeline.io/retained-from';

type TopicObject = KubeObject & { spec?: { topicName?: string } };

/** The KafkaTopics labelled with the pipeline: the watch cache, or a list when the cache is not there. */
export async function ownedKafkaTopics(
  deps: ReconcileDeps,
  pipeline: SpotifyPipeline,
  namespace: string,
): Promise<TopicObject[]> {
  const cached = deps.owned?.(STRIMZI_API_VERSION, 'KafkaTopic', pipeline);
  if (cached) return cached;
  const list = await deps.client.list<TopicObject>(
    { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaTopic', namespace },
    {
      labelSelector: `${PIPELINE_LABEL}=${pipeline.metadata.name},${PIPELINE_NAMESPACE_LABEL}=${pipeline.metadata.namespace}`,
    },
  );
  return list.items;
}

/**
 * Lets go of a KafkaTopic without touching the topic: no owner reference (garbage collection cannot take
 * it), no pipeline labels (it is no longer this pipeline's), an annotation saying whose it was (so a pipeline
 * may adopt it). Its spec is applied as it is, so nothing about the topic changes.
 */
export async function releaseKafkaTopic(
  deps: ReconcileDeps,
  pipeline: SpotifyPipeline,
  topic: TopicObject,
): Promise<void> {
  const labels = topic.metadata?.labels ?? {};
  await deps.client.apply({
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaTopic',
    metadata: {
      name: topic.metadata?.name,
      namespace: topic.metadata?.namespace,
      labels: {
        'app.kubernetes.io/managed-by': MANAGED_BY,
        ...(labels[STRIMZI_CLUSTER_LABEL] ? { [STRIMZI_CLUSTER_LABEL]: labels[STRIMZI_CLUSTER_LABEL] } : {}),
      },
      annotations: { [RETAINED_ANNOTATION]: `${pipeline.metadata.namespace}/${pipeline.metadata.name}` },
    },
    spec: topic.spec,
  } as never);
}

/** Deletes a KafkaTopic; with `keepTopic` Strimzi is told first to leave the Kafka topic alone. */
export async function deleteKafkaTopic(
  deps: ReconcileDeps,
  topic: TopicObject,
  keepTopic: boolean,
): Promise<void> {
  const ref = {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaTopic',
    namespace: topic.metadata?.namespace,
    name: topic.metadata?.name,
  };
  if (keepTopic) {
    // Re-applied as it is (server-side apply would drop what we leave out) plus the annotation.
    await deps.client.apply({
      apiVersion: STRIMZI_API_VERSION,
      kind: 'KafkaTopic',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: topic.metadata?.labels ?? {},
        annotations: { [STRIMZI_MANAGED_ANNOTATION]: 'false' },
      },
      spec: topic.spec,
    } as never);
  }
  await deps.client.delete(ref);
}

/**
 * KafkaTopics of the pipeline that its spec no longer names (a renamed topic, the old naming scheme): one
 * for a topic the pipeline still uses is deleted with the topic kept; others go as deletionPolicy says,
 * deleted (with their topic) or released. Returns what was cleaned, as sentences.
 */
export async function cleanStaleKafkaTopics(
  deps: ReconcileDeps,
  pipeline: SpotifyPipeline,
  namespace: string,
  desired: Array<{ name: string; topicName: string }>,
): Promise<string[]> {
  const done: string[] = [];
  for (const topic of await ownedKafkaTopics(deps, pipeline, namespace)) {
    const name = topic.metadata?.name ?? '';
    if (desired.some((d) => d.name === name)) continue;
    const topicName = topic.spec?.topicName ?? name;
    if (desired.some((d) => d.topicName === topicName)) {
      await deleteKafkaTopic(deps, topic, true);
      done.push(`KafkaTopic ${name} replaced (topic ${topicName} kept)`);
    } else if (pipeline.spec.deletionPolicy === 'Delete') {
      await deleteKafkaTopic(deps, topic, false);
      done.push(`KafkaTopic ${name} of the former topic ${topicName} deleted (deletionPolicy Delete)`);
    } else {
      await releaseKafkaTopic(deps, pipeline, topic);
      done.push(`KafkaTopic ${name} of the former topic ${topicName} released (deletionPolicy Retain)`);
    }
  }
  return done;
}
