import type { CapacityPlanStatus, PipelineSpec } from '../crd/spotify-pipeline.js';

const SECONDS_PER_DAY = 86_400;

/**
 * Ceilings the planner never goes past, whatever the audience says: one mistyped exponent must not plan a
 * million partitions (which could never be taken back) or a replica count past int32.
 */
export const PLAN_LIMITS = {
  /** Partitions of one topic (also the most an explicit spec.kafka.topic.partitions may say). */
  partitions: 10_000,
  /** Brokers of one pool (also the most spec.kafka.strimzi.maxBrokers may say). */
  brokers: 100,
  /** Memory of one source pod, in MiB. */
  sourceMemoryMi: 16_384,
} as const;

export interface CapacityPlan extends CapacityPlanStatus {
  /** One line per decision, in order, with the numbers: what `plan --users N` prints. */
  explanation: string[];
  /** Each ceiling the plan hit, in words (empty when the plan is what the numbers ask for). */
  capped: string[];
  /** Broker capacity this pipeline's traffic takes, in brokers (fractional): shared pools add these up. */
  brokerDemand: number;
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
 *   `previousPartitions` (Kafka cannot remove partitions, so a smaller audience keeps what exists); at most
 *   PLAN_LIMITS.partitions;
 * - brokers = ceil(peak x headroom x event bytes x replication factor / bytes/s per broker), at least the
 *   replication factor, clamped to [minBrokers, maxBrokers] (at most PLAN_LIMITS.brokers);
 * - lake writers: max = the spec's maxReplicas or the partition count, never above the partition count
 *   (a consumer beyond the partition count sits idle); min = max(spec minReplicas,
 *   ceil(average x headroom / events/s per writer)) so the daily average never needs a scale-up, capped at max.
 *
 * Arithmetic is in doubles and every count is capped before it is rounded, so nothing overflows int32.
 */
export function planCapacity(input: PlanInput, previousPartitions = 0): CapacityPlan {
  const { audience, capacity, topic, brokerBounds, lakeWriter } = input;
  const explanation: string[] = [];
  const capped: string[] = [];
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
      ? `partitions: ${fmt(target)} / ${fmt(capacity.eventsPerSecondPerPartition)} events/s per partition = ${fmt(partitions)}`
      : `partitions: ${partitions}, set explicitly in spec.kafka.topic.partitions (the rate alone would need ${fmt(fromRate)})`,
  );
  if (partitions > PLAN_LIMITS.partitions) {
    const line = `partitions: ${fmt(partitions)} capped at ${fmt(PLAN_LIMITS.partitions)}, the most the operator plans for one topic (check spec.audience and spec.capacity.eventsPerSecondPerPartition)`;
    explanation.push(line);
    capped.push(line);
    partitions = PLAN_LIMITS.partitions;
  }
  if (previousPartitions > partitions) {
    explanation.push(
      `partitions: kept at ${fmt(previousPartitions)}, the topic's current count (partitions never decrease)`,
    );
    partitions = previousPartitions;
  }

  const bytesPerSecond = target * audience.averageEventBytes;
  const brokerDemand = (bytesPerSecond * topic.replicas) / capacity.bytesPerSecondPerBroker;
  let brokers = 0;
  if (brokerBounds) {
    const needed = Math.max(topic.replicas, Math.ceil(brokerDemand));
    const max = Math.min(brokerBounds.max, PLAN_LIMITS.brokers);
    brokers = Math.min(max, Math.max(brokerBounds.min, needed));
    explanation.push(
      `brokers: ${fmtBytes(bytesPerSecond)}/s x replication ${topic.replicas} / ${fmtBytes(capacity.bytesPerSecondPerBroker)}/s per broker (at least the replication factor) = ${fmt(needed)}, within [${brokerBounds.min}, ${max}] -> ${brokers}`,
    );
    if (needed > max) {
      capped.push(
        `brokers: ${fmt(needed)} needed, capped at ${max} (spec.kafka.strimzi.maxBrokers ${brokerBounds.max}${brokerBounds.max > PLAN_LIMITS.brokers ? `, the operator's ceiling ${PLAN_LIMITS.brokers}` : ''})`,
      );
    }
  } else {
    explanation.push('brokers: not managed (external Kafka)');
  }

  const max = Math.min(partitions, lakeWriter.maxReplicas ?? partitions);
  const forAverage = Math.ceil((averageRate * capacity.headroom) / capacity.eventsPerSecondPerLakeWriter);
  const min = Math.min(max, Math.max(lakeWriter.minReplicas, forAverage));
  explanation.push(
    `lake writers max: ${lakeWriter.maxReplicas === undefined ? `the partition count ${partitions}` : `min(maxReplicas ${lakeWriter.maxReplicas}, partitions ${partitions})`} = ${max}`,
    `lake writers min: max(minReplicas ${lakeWriter.minReplicas}, average x headroom / ${fmt(capacity.eventsPerSecondPerLakeWriter)} events/s per writer = ${fmt(forAverage)}), at most ${max} -> ${min}`,
  );

  return {
    partitions,
    brokers,
    lakeWriters: { min, max },
    peakEventsPerSecond: peak,
    explanation,
    capped,
    brokerDemand,
  };
}

/**
 * Memory of a source pod: a real-time simulator holds about 90 open sessions per event/s of its rate, near
 * 1 KiB each, on top of a ~200 MiB process (measured in bench/producer), so 256 MiB + 100 KiB per event/s;
 * the history import parses one export file (at most 64 MiB) at a time, 1 GiB; the poller 256 MiB. Never
 * above PLAN_LIMITS.sourceMemoryMi.
 */
export function sourceMemoryMi(type: string, eventsPerSecond: number): { mi: number; capped: string | null } {
  const wanted =
    type === 'simulator' ? 256 + Math.ceil(eventsPerSecond / 10) : type === 'history_import' ? 1024 : 256;
  if (wanted <= PLAN_LIMITS.sourceMemoryMi) return { mi: wanted, capped: null };
  return {
    mi: PLAN_LIMITS.sourceMemoryMi,
    capped: `source memory: ${fmt(wanted)} MiB for ${fmt(eventsPerSecond)} events/s, capped at ${fmt(PLAN_LIMITS.sourceMemoryMi)} MiB (check spec.sources[].eventsPerSecond)`,
  };
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

/** The plan of a spec, with what its sources' memory caps add to `capped`. */
export function planPipeline(spec: PipelineSpec, previousPartitions = 0): CapacityPlan {
  const plan = planCapacity(planInputFromSpec(spec), previousPartitions);
  for (const [index, source] of spec.sources.entries()) {
    const memory = sourceMemoryMi(source.type, source.eventsPerSecond);
    if (memory.capped) plan.capped.push(memory.capped.replace('spec.sources[]', `spec.sources[${index}]`));
  }
  return plan;
}

// One formatter per precision: toLocaleString builds a new Intl.NumberFormat on every call, which made the
// plan (computed for every pipeline of a shared broker pool on each pass) most of a reconcile's CPU time.
const formatters = new Map<number, Intl.NumberFormat>();

export function fmt(n: number, digits = 0): string {
  let formatter = formatters.get(digits);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits });
    formatters.set(digits, formatter);
  }
  return formatter.format(n);
}

function fmtBytes(n: number): string {
  return n >= 1048576 ? `${fmt(n / 1048576, 1)} MiB` : `${fmt(n / 1024, 1)} KiB`;
}
