import { DeadlineError } from '@spotify-pipeline/shared';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ExternalCalls } from './external-calls.js';

const opts = { deadlineMs: 100, maxAgeMs: 60_000, describe: 'the object store' };
function calls(retryBaseMs = 30) {
  const settled: string[] = [];
  const external = new ExternalCalls({
    inlineWaitMs: 20,
    retryBaseMs,
    retryMaxMs: 10_000,
    random: () => 1,
    onSettled: (k) => settled.push(k),
  });
  return { external, settled };
}

describe('ExternalCalls', () => {
  it('returns a fast call at once and reuses its result while fresh', async () => {
    const { external, settled } = calls();
    let runs = 0;
    const run = async () => ++runs;
    expect(await external.call('ns/a', 'lake', 'f1', opts, run)).toEqual({ state: 'done', value: 1 });
    expect(await external.call('ns/a', 'lake', 'f1', opts, run)).toEqual({ state: 'done', value: 1 });
    // a new fingerprint (spec or Secret changed) runs again
    expect(await external.call('ns/a', 'lake', 'f2', opts, run)).toEqual({ state: 'done', value: 2 });
    expect(settled).toEqual([]);
  });

  it('reports a call that never answers as pending, never starts a second, and fails it at the deadline', async () => {
    const { external, settled } = calls(5000);
    let runs = 0;
    let aborted = false;
    const hang = (signal: AbortSignal) => {
      runs++;
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise<number>(() => {});
    };
    expect(await external.call('ns/a', 'lake', 'f', opts, hang)).toMatchObject({ state: 'pending' });
    expect(await external.call('ns/a', 'lake', 'f', opts, hang)).toMatchObject({ state: 'pending' });
    expect(runs).toBe(1);
    expect(external.inFlight).toBe(1);
    // Until the deadline's timer has fired: on a loaded machine that may be well after its 100 ms.
    for (const asked = Date.now(); !aborted && Date.now() - asked < 10_000; )
      await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(true);
    expect(settled).toEqual(['ns/a']);
    const failed = await external.call('ns/a', 'lake', 'f', opts, hang);
    expect(failed).toMatchObject({ state: 'failed' });
    expect((failed as { error: unknown }).error).toBeInstanceOf(DeadlineError);
  });

  it('retries a failed call only after its delay, and then without making the worker wait', async () => {
    // The clock is held still so that a pause of the test process cannot pass the 30 ms delay for it.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { external } = calls();
    let runs = 0;
    const fail = async () => {
      runs++;
      throw new Error('refused');
    };
    expect(await external.call('ns/a', 'lake', 'f', opts, fail)).toMatchObject({ state: 'failed' });
    expect(await external.call('ns/a', 'lake', 'f', opts, fail)).toMatchObject({ state: 'failed' });
    expect(runs).toBe(1);
    vi.setSystemTime(Date.now() + 29);
    expect(await external.call('ns/a', 'lake', 'f', opts, fail)).toMatchObject({ state: 'failed' });
    expect(runs).toBe(1);
    vi.setSystemTime(Date.now() + 11);
    // a call that answers at once is still reported pending: the worker did not wait for it
    const again = await external.call('ns/a', 'lake', 'f', opts, async () => 7);
    expect(again).toMatchObject({ state: 'pending' });
    expect(runs).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await external.call('ns/a', 'lake', 'f', opts, fail)).toEqual({ state: 'done', value: 7 });
  });

  it('keeps pipelines apart: one hung call does not hold another pipeline', async () => {
    const { external } = calls();
    await external.call('ns/bad', 'lake', 'f', opts, () => new Promise(() => {}));
    expect(await external.call('ns/good', 'lake', 'f', opts, async () => 'ok')).toEqual({
      state: 'done',
      value: 'ok',
    });
  });
});
