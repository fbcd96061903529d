import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type ChildObject, childMeta, names, strimziNamespace } from './context.js';
import { STRIMZI_API_VERSION, STRIMZI_CLUSTER_LABEL } from './kafka-topic.js';

/**
 * The part of the broker KafkaNodePool the operator owns: spec.replicas only (server-side apply merges it
 * into the pool someone else created; roles and storage stay theirs).
 */
export function buildNodePoolReplicas(pipeline: SpotifyPipeline, brokers: number): ChildObject | null {
  const strimzi = pipeline.spec.kafka.mode === 'strimzi' ? pipeline.spec.kafka.strimzi : undefined;
  if (!strimzi) return null;
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaNodePool',
    metadata: { name: strimzi.brokerPool, namespace: strimziNamespace(pipeline), labels: {} },
    spec: { replicas: brokers },
  };
}

/**
 * Broker ids a scale from `current` to `desired` adds or removes. Strimzi assigns the lowest free ids on
 * scale-up and removes the highest on scale-down; the pool's status.nodeIds says which ids exist.
 */
export function changedBrokerIds(nodeIds: number[], current: number, desired: number): number[] {
  const sorted = [...nodeIds].sort((a, b) => a - b);
  if (desired < current) return sorted.slice(desired);
  const taken = new Set(sorted);
  const added: number[] = [];
  for (let id = 0; added.length < desired - current; id++) if (!taken.has(id)) added.push(id);
  return added;
}

/**
 * A KafkaRebalance moving replicas onto new brokers after a scale-up (add-brokers) or off the brokers
 * about to go before a scale-down (remove-brokers); null when the count does not change.
 */
export function buildKafkaRebalance(
  pipeline: SpotifyPipeline,
  current: number,
  desired: number,
  nodeIds: number[],
): ChildObject | null {
  const strimzi = pipeline.spec.kafka.mode === 'strimzi' ? pipeline.spec.kafka.strimzi : undefined;
  if (!strimzi || current === desired || current === 0) return null;
  const mode = desired > current ? 'add-brokers' : 'remove-brokers';
  const meta = childMeta(
    pipeline,
    names.rebalance(pipeline, mode, desired),
    'kafka-rebalance',
    strimziNamespace(pipeline),
  );
  meta.labels[STRIMZI_CLUSTER_LABEL] = strimzi.cluster;
  meta.annotations = { 'strimzi.io/rebalance-auto-approval': 'true' };
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaRebalance',
    metadata: meta,
    spec: { mode, brokers: changedBrokerIds(nodeIds, current, desired) },
  };
}
