import type { IKafkaNodePool } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaNodePool';
import type { IKafkaRebalance } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaRebalance';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type ChildObject, childMeta } from './context.js';
import { STRIMZI_API_VERSION, STRIMZI_CLUSTER_LABEL } from './kafka-topic.js';

/**
 * The scale event a broker pool is going through, recorded on the pool before anything moves, so that
 * every pass (and a new leader, or the next owner of a shared pool) continues the same event.
 */
export const SCALE_EVENT_ANNOTATION = 'pipeline.spotify-pipeline.io/scale-event';

export interface ScaleEvent {
  /** Unique per event: it names the event's KafkaRebalance, so no event reuses another's. */
  id: string;
  mode: 'add-brokers' | 'remove-brokers';
  from: number;
  to: number;
  /** add-brokers: the node ids before the scale-up (the new ones are what Strimzi adds to them);
   *  remove-brokers: the ids to empty before the scale-down (Strimzi removes the highest ids). */
  nodeIds: number[];
}

export function parseScaleEvent(annotation: string | undefined): ScaleEvent | null {
  if (!annotation) return null;
  try {
    const e = JSON.parse(annotation) as Partial<ScaleEvent>;
    const ints = (v: unknown) => Array.isArray(v) && v.every((n) => Number.isInteger(n));
    if (
      typeof e.id === 'string' &&
      /^[a-z0-9]{1,20}$/.test(e.id) &&
      (e.mode === 'add-brokers' || e.mode === 'remove-brokers') &&
      Number.isInteger(e.from) &&
      Number.isInteger(e.to) &&
      ints(e.nodeIds)
    )
      return e as ScaleEvent;
  } catch {}
  return null;
}

/** A new event: its id is unique (time and randomness), which is the point. */
export function newScaleEvent(
  mode: ScaleEvent['mode'],
  from: number,
  to: number,
  nodeIds: number[],
  now = Date.now(),
): ScaleEvent {
  const id = `${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
  return { id, mode, from, to, nodeIds };
}

/** `<pool>-<mode>-<event id>`: one KafkaRebalance per scale event, never reused. */
export function rebalanceName(pool: string, event: ScaleEvent): string {
  return `${pool.slice(0, 200).replace(/[^a-z0-9]+$/, '')}-${event.mode}-${event.id}`;
}

/**
 * The part of the broker KafkaNodePool the operator owns: spec.replicas and the scale-event annotation
 * (server-side apply merges them into the pool someone else created; roles and storage stay theirs).
 * Without an event the annotation is left out, which removes ours.
 */
export function buildNodePool(
  namespace: string,
  pool: string,
  replicas: number,
  event: ScaleEvent | null,
): ChildObject {
  const spec: Pick<IKafkaNodePool['spec'], 'replicas'> = { replicas };
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaNodePool',
    metadata: {
      name: pool,
      namespace,
      labels: {},
      ...(event ? { annotations: { [SCALE_EVENT_ANNOTATION]: JSON.stringify(event) } } : {}),
    },
    spec,
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
 * The event's auto-approved KafkaRebalance: add-brokers moves replicas onto `brokers` after a scale-up,
 * remove-brokers moves them off `brokers` before a scale-down. Labelled with the pipeline that runs the
 * pool's events, so its status changes bring that pipeline back.
 */
export function buildKafkaRebalance(
  owner: SpotifyPipeline,
  namespace: string,
  pool: string,
  event: ScaleEvent,
  brokers: number[],
): ChildObject | null {
  const strimzi = owner.spec.kafka.mode === 'strimzi' ? owner.spec.kafka.strimzi : undefined;
  if (!strimzi) return null;
  const meta = childMeta(owner, rebalanceName(pool, event), 'kafka-rebalance', namespace);
  meta.labels[STRIMZI_CLUSTER_LABEL] = strimzi.cluster;
  meta.annotations = { 'strimzi.io/rebalance-auto-approval': 'true' };
  const spec: NonNullable<IKafkaRebalance['spec']> = { mode: event.mode, brokers };
  return { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaRebalance', metadata: meta, spec };
}
