import { strimziNamespace } from '../builders/context.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { fmt, PLAN_LIMITS, planCapacity, planInputFromSpec } from './capacity-plan.js';

/** `<namespace>/<pool>` of the broker KafkaNodePool a Strimzi-mode pipeline names; null otherwise. */
export function brokerPoolKey(pipeline: SpotifyPipeline): string | null {
  const strimzi = pipeline.spec.kafka.mode === 'strimzi' ? pipeline.spec.kafka.strimzi : undefined;
  return strimzi ? `${strimziNamespace(pipeline)}/${strimzi.brokerPool}` : null;
}

export interface BrokerPoolPlan {
  /** namespace/name of the pipeline that sizes the pool and runs its rebalances (the oldest member). */
  owner: string;
  members: string[];
  brokers: number;
  explanation: string;
  /** Set when the owner's maxBrokers (or the operator's ceiling) cut the size. */
  capped: string | null;
}

const keyOf = (p: SpotifyPipeline) => `${p.metadata.namespace}/${p.metadata.name}`;

/**
 * Size of a broker pool that several pipelines may share: their traffic added up (each pipeline's broker
 * demand, fractional), at least the highest replication factor among them, within the owner's
 * [minBrokers, maxBrokers]. So one pipeline's audience moves the pool only by its own share, and the owner
 * (the oldest member; the next oldest when it goes) is the only one that scales it. Pipelines being deleted
 * no longer count.
 */
export function planBrokerPool(pool: string, pipelines: readonly SpotifyPipeline[]): BrokerPoolPlan | null {
  const members = pipelines
    .filter((p) => !p.metadata.deletionTimestamp && brokerPoolKey(p) === pool)
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        keyOf(a).localeCompare(keyOf(b)),
    );
  const owner = members[0];
  const bounds = owner?.spec.kafka.strimzi;
  if (!owner || !bounds) return null;
  const demand = members.reduce((sum, p) => sum + planCapacity(planInputFromSpec(p.spec)).brokerDemand, 0);
  const replication = Math.max(...members.map((p) => p.spec.kafka.topic.replicas));
  const needed = Math.max(replication, Math.ceil(demand));
  const max = Math.min(bounds.maxBrokers, PLAN_LIMITS.brokers);
  const brokers = Math.min(max, Math.max(bounds.minBrokers, needed));
  const who = members.length === 1 ? 'its one pipeline' : `${members.length} pipelines`;
  return {
    owner: keyOf(owner),
    members: members.map(keyOf),
    brokers,
    explanation: `KafkaNodePool ${pool} carries ${who} (${fmt(demand, 1)} brokers of traffic, replication ${replication}): ${brokers} brokers within [${bounds.minBrokers}, ${max}] set by ${keyOf(owner)}`,
    capped:
      needed > max
        ? `brokers: the pool's pipelines need ${fmt(needed)}, capped at ${max} (spec.kafka.strimzi.maxBrokers of ${keyOf(owner)})`
        : null,
  };
}
