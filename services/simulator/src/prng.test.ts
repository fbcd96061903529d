import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hash32, Rng } from './prng.js';

describe('Rng', () => {
  it('repeats the same stream for the same seed and stream, and differs otherwise', () => {
    const draw = (seed: number, stream: number) => {
      const rng = new Rng(seed, stream);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(7, 1)).toEqual(draw(7, 1));
    expect(draw(7, 1)).not.toEqual(draw(7, 2));
    expect(draw(7, 1)).not.toEqual(draw(8, 1));
  });

  it('keys streams by 128 bits, stream number (past 2^32 too) and purpose', () => {
    const draw = (rng: Rng) => Array.from({ length: 4 }, () => rng.next()).join(',');
    const key = [1, 2, 3, 4] as const;
    const streams = [
      Rng.keyed(key, 0),
      Rng.keyed(key, 0, 1),
      Rng.keyed(key, 1),
      Rng.keyed(key, 2 ** 32),
      Rng.keyed([1, 2, 3, 5], 0),
      Rng.keyed([0, 2, 3, 4], 0),
    ].map(draw);
    expect(new Set(streams).size).toBe(streams.length);
    expect(draw(Rng.keyed(key, 7))).toBe(draw(Rng.keyed([1, 2, 3, 4], 7)));
  });

  it('draws uniform floats in [0, 1)', () => {
    const rng = new Rng(1);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = rng.float();
      sum += f;
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('makes UUID-shaped ids that the contract accepts and that do not repeat', () => {
    const rng = new Rng(3);
    const ids = Array.from({ length: 50_000 }, () => rng.uuid());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1000)) expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('hashes inputs to well-spread uint32 values', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(hash32(1, i) >>> 24);
    expect(seen.size).toBe(256);
    expect(hash32(1, 2, 3)).toBe(hash32(1, 2, 3));
    expect(hash32(1, 2, 3)).not.toBe(hash32(1, 3, 2));
  });
});
