import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../crd/defaults.js';
import { type PipelineSpec, specNode } from '../crd/spotify-pipeline.js';
import {
  PLAN_LIMITS,
  planCapacity,
  planInputFromSpec,
  planPipeline,
  sourceMemoryMi,
} from './capacity-plan.js';

function spec(overrides: Record<string, unknown> = {}): PipelineSpec {
  return applyDefaults<PipelineSpec>(specNode.schema, {
    audience: { users: 5_000_000 },
    kafka: { strimzi: { cluster: 'events' } },
    lake: { endpoint: 'http://s3:9000', bucket: 'lake', credentialsSecret: 'lake-creds' },
    ...overrides,
  });
}

describe('planCapacity', () => {
  it('sizes 5 million listeners: peak 13,889 events/s', () => {
    const plan = planCapacity(planInputFromSpec(spec()));
    // 5e6 x 80 / 86400 = 4629.6/s; x3 = 13,889 peak; x1.5 headroom = 20,833.5 -> 11 partitions of 2,000/s
    expect(plan.peakEventsPerSecond).toBe(13_889);
    expect(plan.partitions).toBe(11);
    // 20,833.5 x 480 B x 3 replicas = 30 MB/s over 20 MiB/s per broker -> 2, but at least 3 replicas and minBrokers 3
    expect(plan.brokers).toBe(3);
    expect(plan.lakeWriters).toEqual({ min: 1, max: 11 });
    expect(plan.explanation.join('\n')).toMatch(/peak rate: .* = 13,889 events\/s/);
  });

  it('grows partitions and brokers with the audience, brokers capped at maxBrokers', () => {
    const small = planCapacity(planInputFromSpec(spec()));
    const big = planCapacity(planInputFromSpec(spec({ audience: { users: 200_000_000 } })));
    expect(big.partitions).toBeGreaterThan(small.partitions);
    expect(big.brokers).toBeGreaterThan(small.brokers);
    expect(big.brokers).toBeLessThanOrEqual(12);
    expect(planCapacity(planInputFromSpec(spec({ audience: { users: 2_000_000_000 } }))).brokers).toBe(12);
  });

  it('never decreases partitions below the current count', () => {
    const plan = planCapacity(planInputFromSpec(spec({ audience: { users: 1000 } })), 48);
    expect(plan.partitions).toBe(48);
    expect(plan.explanation.join('\n')).toContain('partitions never decrease');
  });

  it('takes explicit partitions, and lake writers never exceed them', () => {
    const plan = planCapacity(
      planInputFromSpec(
        spec({
          kafka: { strimzi: { cluster: 'e' }, topic: { partitions: 4 } },
          lakeWriter: { minReplicas: 6, maxReplicas: 10 },
        }),
      ),
    );
    expect(plan.partitions).toBe(4);
    expect(plan.lakeWriters).toEqual({ min: 4, max: 4 });
  });

  it('raises the lake-writer minimum so the average rate needs no scale-up', () => {
    const plan = planCapacity(planInputFromSpec(spec({ audience: { users: 100_000_000 } })));
    // 100e6 x 80 / 86400 = 92,593/s x 1.5 / 20,000 per writer = 7 writers
    expect(plan.lakeWriters.min).toBe(7);
    expect(plan.lakeWriters.max).toBe(plan.partitions);
  });

  it('does not size brokers for external Kafka', () => {
    const plan = planCapacity(
      planInputFromSpec(spec({ kafka: { mode: 'external', external: { bootstrapServers: 'k:9092' } } })),
    );
    expect(plan.brokers).toBe(0);
    expect(plan.explanation).toContain('brokers: not managed (external Kafka)');
  });

  it('caps what a mistyped exponent asks for, says which ceiling and why, and stays within int32', () => {
    const plan = planPipeline(
      spec({
        audience: { users: 10_000_000_000, eventsPerUserPerDay: 100_000, peakFactor: 100 },
        capacity: { eventsPerSecondPerPartition: 1, bytesPerSecondPerBroker: 1 },
        kafka: { strimzi: { cluster: 'events', maxBrokers: 100 } },
        sources: [{ type: 'simulator', eventsPerSecond: 1_000_000 }],
      }),
    );
    expect(plan.partitions).toBe(PLAN_LIMITS.partitions);
    expect(plan.brokers).toBe(100);
    expect(plan.lakeWriters.max).toBeLessThanOrEqual(PLAN_LIMITS.partitions);
    for (const n of [plan.partitions, plan.brokers, plan.lakeWriters.min, plan.lakeWriters.max])
      expect(Number.isInteger(n) && n <= 2 ** 31 - 1).toBe(true);
    expect(plan.capped).toHaveLength(3);
    expect(plan.capped.join('\n')).toMatch(/partitions: .* capped at 10,000/);
    expect(plan.capped.join('\n')).toMatch(/brokers: .* capped at 100/);
    expect(plan.capped.join('\n')).toMatch(/spec.sources\[0\]/);
  });

  it('sizes source memory with the rate and caps it', () => {
    expect(sourceMemoryMi('simulator', 2000)).toEqual({ mi: 456, capped: null });
    expect(sourceMemoryMi('simulator', 1_000_000).mi).toBe(PLAN_LIMITS.sourceMemoryMi);
    expect(sourceMemoryMi('history_import', 1).mi).toBe(1024);
  });

  it('plans without caps for an ordinary audience', () => {
    expect(planPipeline(spec()).capped).toEqual([]);
  });
});
