import type { CapacityPlanStatus, PipelineSpec } from '../crd/spotify-pipeline.js';

const SECONDS_PER_DAY = 86_400;

export interface CapacityPlan extends CapacityPlanStatus {
  /** One line per decision, in order, with the numbers: what `plan --users N` prints. */
  explanation: string[];
}

export interface PlanInput {
  audience: PipelineSpec['audience'];
  capacity: PipelineSpec['capacity'];
  topic: Pick<PipelineSpec['kafka']['topic'], 'partitions' | 'replicas'>;
  /** Broker bounds of a Strimzi node pool; null when brokers are not ours to size (external mode). */
  brokerBounds: { min: number; max: number } | null;
  lakeWriter: Pick<PipelineSpec['lakeWriter'], 'minReplicas' | 'maxReplicas'>;
}

/**
 * Sizes a pipeline from its audience.
 *
 * - average rate = users x events per user per day / 86,400 s; peak = average x peakFactor (rounded up);
 * - partitions = ceil(peak x headroom / events/s per partition), or the explicit spec value, and never below
 *   `previousPartitions` (Kafka cannot remove partitions, so a smaller audience keeps what exists);
 * - brokers = ceil(peak x headroom x event bytes x replication factor / bytes/s per broker), at least the
 *   replication factor, clamped to [minBrokers, maxBrokers];
 * - lake writers: max = the spec's maxReplicas or the partition count, never above the partition count
 *   (a consumer beyond the partition count sits idle); min = max(spec minReplicas,
 *   ceil(average x headroom / events/s per writer)) so the daily average never needs a scale-up, capped at max.
 */
export function planCapacity(input: PlanInput, previousPartitions = 0): CapacityPlan {
  const { audience, capacity, topic, brokerBounds, lakeWriter } = input;
  const explanation: string[] = [];
  const averageRate = (audience.users * audience.eventsPerUserPerDay) / SECONDS_PER_DAY;
  const peak = Math.ceil(averageRate * audience.peakFactor);
  const target = peak * capacity.headroom;
  explanation.push(
    `average rate: ${fmt(audience.users)} users x ${audience.eventsPerUserPerDay} events/day / 86,400 s = ${fmt(averageRate, 1)} events/s`,
    `peak rate: ${fmt(averageRate, 1)} x peak factor ${audience.peakFactor} = ${fmt(peak)} events/s; with headroom x${capacity.headroom}: ${fmt(target)} events/s`,
  );

  const fromRate = Math.max(1, Math.ceil(target / capacity.eventsPerSecondPerPartition));
  let partitions = topic.partitions ?? fromRate;
  explanation.push(
    topic.partitions === undefined
      ? `partitions: ${fmt(target)} / ${fmt(capacity.eventsPerSecondPerPartition)} events/s per partition = ${partitions}`
      : `partitions: ${partitions}, set explicitly in spec.kafka.topic.partitions (the rate alone would need ${fromRate})`,
  );
  if (previousPartitions > partitions) {
    explanation.push(
      `partitions: kept at ${previousPartitions}, the topic's current count (partitions never decrease)`,
    );
    partitions = previousPartitions;
  }

  const bytesPerSecond = target * audience.averageEventBytes;
  let brokers = 0;
  if (brokerBounds) {
    const needed = Math.max(
      topic.replicas,
      Math.ceil((bytesPerSecond * topic.replicas) / capacity.bytesPerSecondPerBroker),
    );
    brokers = Math.min(brokerBounds.max, Math.max(brokerBounds.min, needed));
    explanation.push(
      `brokers: ${fmtBytes(bytesPerSecond)}/s x replication ${topic.replicas} / ${fmtBytes(capacity.bytesPerSecondPerBroker)}/s per broker (at least the replication factor) = ${needed}, within [${brokerBounds.min}, ${brokerBounds.max}] -> ${brokers}`,
    );
  } else {
    explanation.push('brokers: not managed (external Kafka)');
  }

  const max = Math.min(partitions, lakeWriter.maxReplicas ?? partitions);
  const forAverage = Math.ceil((averageRate * capacity.headroom) / capacity.eventsPerSecondPerLakeWriter);
  const min = Math.min(max, Math.max(lakeWriter.minReplicas, forAverage));
  explanation.push(
    `lake writers max: ${lakeWriter.maxReplicas === undefined ? `the partition count ${partitions}` : `min(maxReplicas ${lakeWriter.maxReplicas}, partitions ${partitions})`} = ${max}`,
    `lake writers min: max(minReplicas ${lakeWriter.minReplicas}, average x headroom / ${fmt(capacity.eventsPerSecondPerLakeWriter)} events/s per writer = ${forAverage}), at most ${max} -> ${min}`,
  );

  return { partitions, brokers, lakeWriters: { min, max }, peakEventsPerSecond: peak, explanation };
}

/** The planner's input from a pipeline spec. */
export function planInputFromSpec(spec: PipelineSpec): PlanInput {
  const strimzi = spec.kafka.mode === 'strimzi' ? spec.kafka.strimzi : undefined;
  return {
    audience: spec.audience,
    capacity: spec.capacity,
    topic: spec.kafka.topic,
    brokerBounds: strimzi ? { min: strimzi.minBrokers, max: strimzi.maxBrokers } : null,
    lakeWriter: spec.lakeWriter,
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function fmtBytes(n: number): string {
  return n >= 1048576 ? `${fmt(n / 1048576, 1)} MiB` : `${fmt(n / 1024, 1)} KiB`;
}
