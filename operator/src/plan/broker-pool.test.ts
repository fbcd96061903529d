import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { brokerPoolKey, planBrokerPool } from './broker-pool.js';

function member(
  name: string,
  created: string,
  users: number,
  strimzi: Record<string, unknown> = {},
): SpotifyPipeline {
  const p = testPipeline({
    audience: { users },
    kafka: { strimzi: { cluster: 'events', namespace: 'kafka', ...strimzi } },
  });
  p.metadata = { ...p.metadata, name, uid: name, creationTimestamp: created };
  return p;
}

describe('planBrokerPool', () => {
  it('adds up the traffic of every pipeline on the pool, and the oldest sets the bounds', () => {
    const a = member('a', '2026-01-01T00:00:00Z', 10_000_000, { maxBrokers: 5 });
    const b = member('b', '2026-01-02T00:00:00Z', 10_000_000, { maxBrokers: 50 });
    expect(brokerPoolKey(a)).toBe('kafka/brokers');
    const alone = planBrokerPool('kafka/brokers', [a]);
    expect(alone).toMatchObject({ owner: 'music/a', brokers: 3, capped: null });
    const both = planBrokerPool('kafka/brokers', [b, a]);
    // 2 x 2.86 brokers of traffic = 5.7 -> 6, but a (the owner) allows 5
    expect(both).toMatchObject({ owner: 'music/a', members: ['music/a', 'music/b'], brokers: 5 });
    expect(both?.capped).toContain('capped at 5');
  });

  it('counts a replication floor once, not per pipeline, and leaves out pipelines being deleted', () => {
    const tiny = (n: string, d: string) => member(n, d, 1000);
    const pool = planBrokerPool('kafka/brokers', [
      tiny('a', '2026-01-01T00:00:00Z'),
      tiny('b', '2026-01-02T00:00:00Z'),
      tiny('c', '2026-01-03T00:00:00Z'),
    ]);
    expect(pool?.brokers).toBe(3);
    const a = member('a', '2026-01-01T00:00:00Z', 10_000_000);
    a.metadata.deletionTimestamp = '2026-02-01T00:00:00Z';
    const b = member('b', '2026-01-02T00:00:00Z', 10_000_000);
    expect(planBrokerPool('kafka/brokers', [a, b])).toMatchObject({ owner: 'music/b', brokers: 3 });
  });
});
