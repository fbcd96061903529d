import { describe, expect, it } from 'vitest';
import { retryUntilAborted } from './retry-until-aborted.js';

const noWait = async () => {};

describe('retryUntilAborted', () => {
  it('retries a failing step until it succeeds, reporting each failure with its attempt', async () => {
    const failures: number[] = [];
    let calls = 0;
    const done = await retryUntilAborted(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`store down (${calls})`);
      },
      {
        what: 'put',
        maxMs: 1_000,
        shouldAbort: () => false,
        onFailure: (_e, n) => failures.push(n),
        sleep: noWait,
      },
    );
    expect(done).toBe(true);
    expect(calls).toBe(4);
    expect(failures).toEqual([0, 1, 2]);
  });

  it('retries any error, retriable or not: only an abort stops it', async () => {
    let calls = 0;
    let aborted = false;
    const done = await retryUntilAborted(
      async () => {
        calls++;
        if (calls === 5) aborted = true;
        throw new TypeError('not retriable by its flag');
      },
      { what: 'put', maxMs: 1_000, shouldAbort: () => aborted, onFailure: () => {}, sleep: noWait },
    );
    expect(done).toBe(false);
    expect(calls).toBe(5);
  });

  it('does not start a step once aborted, and gives up between waits', async () => {
    let calls = 0;
    const step = async () => {
      calls++;
    };
    expect(
      await retryUntilAborted(step, {
        what: 'put',
        maxMs: 1_000,
        shouldAbort: () => true,
        onFailure: () => {},
        sleep: noWait,
      }),
    ).toBe(false);
    expect(calls).toBe(0);

    let abortAfterWait = false;
    const done = await retryUntilAborted(
      async () => {
        calls++;
        throw new Error('down');
      },
      {
        what: 'put',
        maxMs: 1_000,
        shouldAbort: () => abortAfterWait,
        onFailure: () => {},
        sleep: async () => {
          abortAfterWait = true;
        },
      },
    );
    expect(done).toBe(false);
    expect(calls).toBe(1);
  });

  it('waits with backoff capped at maxMs', async () => {
    const waits: number[] = [];
    let calls = 0;
    await retryUntilAborted(
      async () => {
        if (++calls < 12) throw new Error('down');
      },
      {
        what: 'put',
        maxMs: 700,
        shouldAbort: () => false,
        onFailure: () => {},
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(waits).toHaveLength(11);
    expect(Math.max(...waits)).toBeLessThanOrEqual(700);
    expect(waits.every((w) => w >= 0)).toBe(true);
  });
});
