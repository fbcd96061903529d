import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import { catalogGroupId } from '@spotify-pipeline/shared/lake/lake-writer-env';
import { writerCheckpointPrefix } from '@spotify-pipeline/shared/lake/layout';
import { names, PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL, strimziNamespace } from '../builders/context.js';
import { catalogTopicNames, pipelineTopicNames, STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import { brokerPoolKey } from '../plan/broker-pool.js';
import { holderOf, lakePrefixClaim, recordedClaims, topicClaim, withSelf } from './claims.js';
import type { ReconcileDeps } from './deps.js';
import { lakeSettings } from './pipeline-lake.js';
import { externalKafkaSettings } from './pipeline-topics.js';
import { deleteKafkaTopic, ownedKafkaTopics, releaseKafkaTopic } from './stale-topics.js';
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
  | { state: 'done'; message: string }
  | { state: 'pending'; message: string }
  | { state: 'blocked'; message: string };

const keyOf = (p: SpotifyPipeline) => `${p.metadata.namespace}/${p.metadata.name}`;

/**
 * Runs on delete, and touches only what this pipeline owns. Retain keeps topics and lake data (its
 * KafkaTopics are released: no owner reference, no pipeline labels, adoptable). Delete removes its lake
 * prefixes (the bucket too when nothing of anyone is left in it and no other pipeline uses it) and its
 * topics, off the worker's path and within a deadline. Its KafkaRebalances go unless another pipeline
 * still uses the broker pool (that one continues the pool's scale event). Then the finalizer goes.
 */
export async function finalize(deps: ReconcileDeps, ctx: StepContext): Promise<FinalizeResult> {
  const { pipeline } = ctx;
  const others = withSelf(pipeline, deps.pipelines()).filter((p) => p.metadata.uid !== pipeline.metadata.uid);
  const notes: string[] = [];
  const pool = brokerPoolKey(pipeline);
  if (pool && !others.some((p) => !p.metadata.deletionTimestamp && brokerPoolKey(p) === pool))
    await deleteRebalances(deps, pipeline);
  const kafkaNs = strimziNamespace(pipeline);
  const topics = await ownedKafkaTopics(deps, pipeline, kafkaNs).catch(ignoreMissingKind);
  if (pipeline.spec.deletionPolicy === 'Retain') {
    for (const topic of topics ?? []) await releaseKafkaTopic(deps, pipeline, topic);
    if (topics?.length) notes.push(`KafkaTopics ${topics.map((t) => t.metadata?.name).join(', ')} released`);
  } else {
    const data = await deleteData(deps, ctx, others);
    if (data.state !== 'done') return data;
    notes.push(data.message);
    const all = withSelf(pipeline, deps.pipelines());
    for (const topic of topics ?? []) {
      const id = `kafkatopic:${topic.metadata?.namespace}/${topic.metadata?.name}`;
      if (holderOf(id, all)?.metadata.uid !== pipeline.metadata.uid) continue;
      await deleteKafkaTopic(deps, topic, false);
      notes.push(`KafkaTopic ${topic.metadata?.name} deleted`);
    }
  }
  deps.external.forget(ctx.key);
  await removeFinalizer(deps, pipeline);
  return {
    state: 'done',
    message: `Deleted with deletionPolicy ${pipeline.spec.deletionPolicy}${notes.length ? `: ${notes.join('; ')}` : ''}.`,
  };
}

async function deleteRebalances(deps: ReconcileDeps, pipeline: SpotifyPipeline): Promise<void> {
  const selector = `${PIPELINE_LABEL}=${pipeline.metadata.name},${PIPELINE_NAMESPACE_LABEL}=${pipeline.metadata.namespace}`;
  const ns = strimziNamespace(pipeline);
  const rebalances = await deps.client
    .list<KubeObject>(
      { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaRebalance', namespace: ns },
      { labelSelector: selector },
    )
    .catch(ignoreMissingKind);
  for (const r of rebalances?.items ?? [])
    await deps.client.delete({
      apiVersion: STRIMZI_API_VERSION,
      kind: 'KafkaRebalance',
      namespace: ns,
      name: r.metadata?.name,
    });
}

/** The lake prefixes this pipeline owns in its current bucket (its topic's, and those of former topics). */
function ownedPrefixes(pipeline: SpotifyPipeline, all: SpotifyPipeline[]): string[] {
  const current = lakePrefixClaim(pipeline, pipeline.spec.kafka.topic.name).id;
  const bucketId = current.slice(0, current.length - `bronze/${pipeline.spec.kafka.topic.name}/`.length);
  const ids = new Set([current, ...recordedClaims(pipeline).filter((id) => id.startsWith(bucketId))]);
  return [...ids]
    .filter((id) => holderOf(id, all)?.metadata.uid === pipeline.metadata.uid)
    .map((id) => id.slice(bucketId.length));
}

/** A bronze prefix of an events topic, followed by those of the catalog topics named after it. */
function withCatalogPrefixes(prefix: string): string[] {
  const topic = /^bronze\/(.+)\/$/.exec(prefix)?.[1];
  return topic ? [prefix, ...catalogTopicNames(topic).map((t) => `bronze/${t}/`)] : [prefix];
}

/** Whether another pipeline uses the same bucket (its spec, or a lake prefix it recorded). */
function bucketShared(pipeline: SpotifyPipeline, others: SpotifyPipeline[]): string | null {
  const current = lakePrefixClaim(pipeline, pipeline.spec.kafka.topic.name).id;
  const bucketId = current.slice(0, current.length - `bronze/${pipeline.spec.kafka.topic.name}/`.length);
  const user = others.find(
    (p) =>
      lakePrefixClaim(p, p.spec.kafka.topic.name).id.startsWith(bucketId) ||
      recordedClaims(p).some((id) => id.startsWith(bucketId)),
  );
  return user ? keyOf(user) : null;
}

/** deletionPolicy Delete: the lake data and (external Kafka) the topics this pipeline owns, with a deadline. */
async function deleteData(
  deps: ReconcileDeps,
  ctx: StepContext,
  others: SpotifyPipeline[],
): Promise<FinalizeResult> {
  const { pipeline } = ctx;
  const all = withSelf(pipeline, deps.pipelines());
  const lake = await lakeSettings(deps, ctx);
  if (typeof lake === 'string')
    return {
      state: 'blocked',
      message: `Cannot delete the lake data: ${lake} Or set deletionPolicy: Retain.`,
    };
  const kafka = pipeline.spec.kafka.mode === 'external' ? await externalKafkaSettings(deps, ctx) : null;
  if (typeof kafka === 'string')
    return { state: 'blocked', message: `Cannot delete the topics: ${kafka} Or set deletionPolicy: Retain.` };
  // The catalog topics' objects go with their events topic's (their names derive from it), and the lake
  // writers' partition checkpoints, of every group, with the data they describe.
  const group = names.consumerGroup(pipeline);
  const prefixes = [
    ...ownedPrefixes(pipeline, all).flatMap(withCatalogPrefixes),
    writerCheckpointPrefix(group),
    ...catalogTopicNames(pipeline.spec.kafka.topic.name).map((t) =>
      writerCheckpointPrefix(catalogGroupId(group, t)),
    ),
  ];
  const sharedWith = bucketShared(pipeline, others);
  const topic = pipeline.spec.kafka.topic.name;
  const topics =
    kafka === null
      ? []
      : pipelineTopicNames(topic).filter(
          (t) => holderOf(topicClaim(pipeline, t).id, all)?.metadata.uid === pipeline.metadata.uid,
        );
  const bucket = pipeline.spec.lake.bucket;
  const call = await deps.external.call(
    ctx.key,
    'delete',
    pipeline.metadata.uid,
    {
      deadlineMs: deps.timeouts.deleteMs,
      maxAgeMs: Number.POSITIVE_INFINITY,
      describe: `deleting ${prefixes.join(', ')} of bucket ${bucket}${topics.length ? ` and topics ${topics.join(', ')}` : ''}`,
    },
    async (signal) => {
      const removed = await deps.lake.remove(
        lake.settings,
        { prefixes, removeBucket: sharedWith === null },
        signal,
      );
      for (const name of topics)
        await deps.kafka.deleteTopic(kafka?.settings as KafkaEnv, name, deps.logger, signal);
      return removed;
    },
  );
  if (call.state === 'pending')
    return {
      state: 'pending',
      message: `Deleting ${prefixes.join(', ')} of bucket ${bucket}${topics.length ? ` and topics ${topics.join(', ')}` : ''} (deletionPolicy: Delete).`,
    };
  if (call.state === 'failed')
    return {
      state: 'blocked',
      message: `Deleting the data failed: ${(call.error as Error).message}. It is retried; or set deletionPolicy: Retain.`,
    };
  const kept = sharedWith
    ? `bucket ${bucket} kept: pipeline ${sharedWith} uses it`
    : call.value.bucketRemoved
      ? `bucket ${bucket} removed`
      : `bucket ${bucket} kept: ${call.value.objectsLeft} objects of others are in it`;
  return {
    state: 'done',
    message: `${prefixes.join(', ')} deleted from bucket ${bucket}, ${kept}${topics.length ? `; topics ${topics.join(', ')} deleted` : ''}`,
  };
}
