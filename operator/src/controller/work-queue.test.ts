import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands one key to two workers; an add while processing requeues it after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth).toBe(0);
    q.done(key ?? '');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off per key exponentially and forgets on success', async () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 40, random: () => 1 });
    expect(q.addRateLimited('a')).toBe(10);
    expect(q.addRateLimited('a')).toBe(20);
    expect(q.addRateLimited('a')).toBe(40);
    expect(q.addRateLimited('a')).toBe(40);
    expect(new WorkQueue({ baseDelayMs: 10, random: () => 1 }).addRateLimited('b')).toBe(10);
    expect(new WorkQueue({ baseDelayMs: 10, random: () => 0.5 }).addRateLimited('b')).toBe(5);
    expect(q.retries('a')).toBe(4);
    q.forget('a');
    // Timed from before the add: a pause of the test process between the two must not shorten what is measured.
    const started = Date.now();
    expect(q.addRateLimited('a')).toBe(10);
    expect(await q.get()).toBe('a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(8);
  });

  it('wakes a waiting worker and releases workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
    const blocked = q.get();
    q.shutDown();
    expect(await blocked).toBeNull();
    q.add('y');
    expect(q.depth).toBe(0);
  });
});
