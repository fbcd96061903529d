import { describe, expect, it } from 'vitest';
import { checkpointSkip } from './checkpoints.js';

describe('checkpointSkip', () => {
  it('moves the fetch to the checkpoint when it continues the offset Kafka holds', () => {
    expect(checkpointSkip({ from: '800', next: '1000' }, 800n, 1200n)).toBe(1000n);
    // Kafka holds a later commit than the checkpoint's start (another commit went through in between).
    expect(checkpointSkip({ from: '600', next: '1000' }, 800n, 1000n)).toBe(1000n);
  });

  it('does nothing without a checkpoint or when Kafka is already at or past it', () => {
    expect(checkpointSkip(null, 800n, 1200n)).toBeNull();
    expect(checkpointSkip({ from: '600', next: '800' }, 800n, 1200n)).toBeNull();
    expect(checkpointSkip({ from: '600', next: '800' }, 900n, 1200n)).toBeNull();
  });

  it('ignores a checkpoint that starts past the fetch (a topic made again) or ends past the partition', () => {
    expect(checkpointSkip({ from: '500', next: '900' }, 0n, 1200n)).toBeNull();
    expect(checkpointSkip({ from: '0', next: '1201' }, 0n, 1200n)).toBeNull();
  });
});
