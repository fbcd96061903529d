import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './cache.js';

describe('createAnswerCache', () => {
  it('answers a repeated key from memory until it expires', async () => {
    let clock = 0;
    let computed = 0;
    const cache = createAnswerCache({ ttlMs: 1000, maxEntries: 10, now: () => clock });
    const compute = async () => ++computed;
    expect(await cache.get('a', compute)).toEqual({ value: 1, hit: false });
    clock = 999;
    expect(await cache.get('a', compute)).toEqual({ value: 1, hit: true });
    clock = 1000;
    expect(await cache.get('a', compute)).toEqual({ value: 2, hit: false });
  });

  it('runs one computation for concurrent requests of the same key', async () => {
    let computed = 0;
    const cache = createAnswerCache({ ttlMs: 1000, maxEntries: 10 });
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(++computed), 20));
    const answers = await Promise.all([cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)]);
    expect(answers.map((a) => a.value)).toEqual([1, 1, 1]);
    expect(computed).toBe(1);
  });

  it('keeps no failure and no more than maxEntries', async () => {
    const cache = createAnswerCache({ ttlMs: 1000, maxEntries: 2 });
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => key);
    expect(cache.size).toBe(2);
    expect((await cache.get('a', async () => 'again')).hit).toBe(false);
  });

  it('with a zero lifetime computes every time', async () => {
    let computed = 0;
    const cache = createAnswerCache({ ttlMs: 0, maxEntries: 10 });
    await cache.get('a', async () => ++computed);
    await cache.get('a', async () => ++computed);
    expect(computed).toBe(2);
  });
});
