import type { BuildContext } from '../builders/context.js';
import { PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL, strimziNamespace } from '../builders/context.js';
import { buildDeadLetterTopic, buildKafkaTopic } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';
import { lakeSettings } from './pipeline-lake.js';
import { externalKafkaSettings } from './pipeline-topics.js';

export const FINALIZER = 'pipeline.spotify-pipeline.io/finalizer';

export async function addFinalizer(deps: ReconcileDeps, pipeline: SpotifyPipeline): Promise<void> {
  await deps.client.apply({
    apiVersion: pipeline.apiVersion,
    kind: pipeline.kind,
    metadata: {
      name: pipeline.metadata.name,
      namespace: pipeline.metadata.namespace,
      finalizers: [FINALIZER],
    } as never,
  });
}

async function removeFinalizer(deps: ReconcileDeps, pipeline: SpotifyPipeline): Promise<void> {
  await deps.client.apply({
    apiVersion: pipeline.apiVersion,
    kind: pipeline.kind,
    metadata: {
      name: pipeline.metadata.name,
      namespace: pipeline.metadata.namespace,
      finalizers: [],
    } as never,
  });
}

const ignoreMissingKind = (err: unknown) => {
  if (err instanceof KubeApiError && err.resourceMissing) return null;
  throw err;
};

/**
 * Runs on delete. Retain keeps the topics and the lake (the KafkaTopics lose their owner reference so
 * garbage collection cannot take them); Delete removes topics and lake data. Either way the Strimzi
 * objects the operator made in another namespace (rebalances) are removed, and the finalizer goes.
 * Returns a message when it cannot finish yet (the finalizer stays, the key is retried).
 */
export async function finalize(deps: ReconcileDeps, ctx: BuildContext): Promise<string | null> {
  const { pipeline } = ctx;
  const strimzi = pipeline.spec.kafka.mode === 'strimzi';
  if (strimzi) {
    const selector = `${PIPELINE_LABEL}=${pipeline.metadata.name},${PIPELINE_NAMESPACE_LABEL}=${pipeline.metadata.namespace}`;
    const ns = strimziNamespace(pipeline);
    const rebalances = await deps.client
      .list<KubeObject>(
        { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaRebalance', namespace: ns },
        { labelSelector: selector },
      )
      .catch(ignoreMissingKind);
    for (const r of rebalances ? rebalances.items : []) {
      await deps.client.delete({
        apiVersion: 'kafka.strimzi.io/v1beta2',
        kind: 'KafkaRebalance',
        namespace: ns,
        name: r.metadata?.name,
      });
    }
  }
  const topics = [buildKafkaTopic(ctx), buildDeadLetterTopic(ctx)].filter((t) => t !== null);
  if (pipeline.spec.deletionPolicy === 'Retain') {
    for (const topic of topics) {
      const { ownerReferences: _, ...metadata } = topic.metadata;
      await deps.client.apply({ ...topic, metadata }).catch(ignoreMissingKind);
    }
  } else {
    const problem = await deleteData(deps, ctx);
    if (problem) return problem;
    for (const topic of topics) {
      await deps.client
        .delete({
          apiVersion: topic.apiVersion,
          kind: topic.kind,
          namespace: topic.metadata.namespace,
          name: topic.metadata.name,
        })
        .catch(ignoreMissingKind);
    }
  }
  deps.lakeChecks.forget(pipeline.metadata.uid);
  await removeFinalizer(deps, pipeline);
  return null;
}

async function deleteData(deps: ReconcileDeps, ctx: BuildContext): Promise<string | null> {
  const { pipeline } = ctx;
  const lake = await lakeSettings(deps, ctx);
  if (typeof lake === 'string') return `cannot delete the lake data: ${lake} (or set deletionPolicy: Retain)`;
  await deps.lake.remove(lake.settings);
  if (pipeline.spec.kafka.mode === 'external') {
    const settings = await externalKafkaSettings(deps, pipeline);
    if (typeof settings === 'string')
      return `cannot delete the topics: ${settings} (or set deletionPolicy: Retain)`;
    for (const name of [pipeline.spec.kafka.topic.name, `${pipeline.spec.kafka.topic.name}.dlq`]) {
      await deps.kafka.deleteTopic(settings, name, deps.logger);
    }
  }
  return null;
}
