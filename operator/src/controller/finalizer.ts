import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import { PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL, strimziNamespace } from '../builders/context.js';
import { buildDeadLetterTopic, buildKafkaTopic, STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';
import { lakeSettings } from './pipeline-lake.js';
import { externalKafkaSettings } from './pipeline-topics.js';
import type { StepContext } from './step.js';

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

export type FinalizeResult =
  | { state: 'done' }
  | { state: 'pending'; message: string }
  | { state: 'blocked'; message: string };

/**
 * Runs on delete. Retain keeps the topics and the lake (the KafkaTopics lose their owner reference so
 * garbage collection cannot take them); Delete removes topics and lake data, off the worker's path and
 * within a deadline. Either way the Strimzi objects the operator made in another namespace (rebalances)
 * are removed, and the finalizer goes once all that is done.
 */
export async function finalize(deps: ReconcileDeps, ctx: StepContext): Promise<FinalizeResult> {
  const { pipeline } = ctx;
  const strimzi = pipeline.spec.kafka.mode === 'strimzi';
  if (strimzi) {
    const selector = `${PIPELINE_LABEL}=${pipeline.metadata.name},${PIPELINE_NAMESPACE_LABEL}=${pipeline.metadata.namespace}`;
    const ns = strimziNamespace(pipeline);
    const rebalances = await deps.client
      .list<KubeObject>(
        { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaRebalance', namespace: ns },
        { labelSelector: selector },
      )
      .catch(ignoreMissingKind);
    for (const r of rebalances ? rebalances.items : []) {
      await deps.client.delete({
        apiVersion: STRIMZI_API_VERSION,
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
    const data = await deleteData(deps, ctx);
    if (data.state !== 'done') return data;
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
  deps.external.forget(ctx.key);
  await removeFinalizer(deps, pipeline);
  return { state: 'done' };
}

/** deletionPolicy Delete: the lake data and (external Kafka) the topics, as one call with a deadline. */
async function deleteData(deps: ReconcileDeps, ctx: StepContext): Promise<FinalizeResult> {
  const { pipeline } = ctx;
  const lake = await lakeSettings(deps, ctx);
  if (typeof lake === 'string')
    return {
      state: 'blocked',
      message: `Cannot delete the lake data: ${lake} Or set deletionPolicy: Retain.`,
    };
  const kafka = pipeline.spec.kafka.mode === 'external' ? await externalKafkaSettings(deps, pipeline) : null;
  if (typeof kafka === 'string')
    return { state: 'blocked', message: `Cannot delete the topics: ${kafka} Or set deletionPolicy: Retain.` };
  const topic = pipeline.spec.kafka.topic.name;
  const call = await deps.external.call(
    ctx.key,
    'delete',
    pipeline.metadata.uid,
    {
      deadlineMs: deps.timeouts.deleteMs,
      maxAgeMs: Number.POSITIVE_INFINITY,
      describe: `deleting bucket ${pipeline.spec.lake.bucket}${kafka ? ` and topic ${topic}` : ''}`,
    },
    async (signal) => {
      await deps.lake.remove(lake.settings, signal);
      for (const name of kafka ? [topic, `${topic}.dlq`] : [])
        await deps.kafka.deleteTopic(kafka?.settings as KafkaEnv, name, deps.logger, signal);
    },
  );
  if (call.state === 'done') return { state: 'done' };
  if (call.state === 'pending')
    return {
      state: 'pending',
      message: `Deleting the data of bucket ${pipeline.spec.lake.bucket}${kafka ? ` and topic ${topic}` : ''} (deletionPolicy: Delete).`,
    };
  return {
    state: 'blocked',
    message: `Deleting the data failed: ${(call.error as Error).message}. It is retried; or set deletionPolicy: Retain.`,
  };
}
