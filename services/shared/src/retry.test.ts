import { describe, expect, it } from 'vitest';
import { ConfigError, DeadlineError, isRetriable, PipelineError, UnavailableError } from './errors.js';
import { backoffDelay, type RetryOptions, retry } from './retry.js';

/** A clock that only moves when retry() sleeps, and the waits it was asked for. */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Fails with each of `errors` in turn, then returns 'ok'; counts the attempts. */
function failing(...errors: unknown[]) {
  const calls = { n: 0 };
  const fn = async () => {
    const err = errors[calls.n++];
    if (err !== undefined) throw err;
    return 'ok';
  };
  return { fn, calls };
}

const down = () => new UnavailableError('broker down');
const options = (time: ReturnType<typeof fakeTime>, more: Partial<RetryOptions> = {}): RetryOptions => ({
  what: 'a call',
  baseMs: 100,
  maxMs: 1000,
  now: time.now,
  sleep: time.sleep,
  random: () => 1,
  ...more,
});

describe('backoffDelay', () => {
  it('doubles its ceiling per attempt up to the maximum, and draws the wait below the ceiling', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
  });

  it('spreads the waits of clients that failed together (full jitter)', () => {
    const waits = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { baseMs: 100, maxMs: 10_000 })));
    expect(waits.size).toBeGreaterThan(40);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(0);
    for (const w of waits) expect(w).toBeLessThanOrEqual(1600);
  });
});

describe('retry', () => {
  it('tries a retriable failure again after the backoff, and returns the first success', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(down(), down(), down());
    await expect(retry(fn, options(time))).resolves.toBe('ok');
    expect(calls.n).toBe(4);
    expect(time.sleeps).toEqual([100, 200, 400]);
  });

  it('throws a failure the predicate refuses at once, without waiting', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(new ConfigError('LAKE_BUCKET: is required'));
    await expect(retry(fn, options(time))).rejects.toThrow('LAKE_BUCKET: is required');
    expect(calls.n).toBe(1);
    expect(time.sleeps).toEqual([]);

    const custom = failing(new Error('plain'), new Error('plain'));
    await expect(retry(custom.fn, options(time, { retryable: () => true }))).resolves.toBe('ok');
    expect(custom.calls.n).toBe(3);
  });

  it('throws the last failure as it is once the attempts are used up', async () => {
    const time = fakeTime();
    const last = new UnavailableError('third');
    const { fn, calls } = failing(down(), down(), last, down());
    await expect(retry(fn, options(time, { maxAttempts: 3 }))).rejects.toBe(last);
    expect(calls.n).toBe(3);
  });

  it('gives up with a DeadlineError when the next wait would end past the deadline', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(down(), down(), down(), down());
    const err = await retry(fn, options(time, { deadlineMs: 1000, baseMs: 400 })).catch((e: unknown) => e);
    // 0 ms: fail, wait 400; 400 ms: fail, a wait of 800 would end at 1200 > 1000.
    expect(calls.n).toBe(2);
    expect(time.sleeps).toEqual([400]);
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err).toMatchObject({ code: 'ERR_DEADLINE', retriable: true });
    expect((err as Error).message).toMatch(
      /a call still failing after 2 attempts in 0.4s \(deadline 1s\): broker down/,
    );
    expect((err as Error).cause).toBeInstanceOf(UnavailableError);
  });

  it('aborts the running attempt when the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const hung = (_n: number, signal: AbortSignal) =>
      new Promise<never>((_, reject) => {
        seen = signal;
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    const err = await retry(hung, { what: 'a hung call', baseMs: 10, maxMs: 10, deadlineMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(seen?.aborted).toBe(true);
    expect(err).toBeInstanceOf(DeadlineError);
  });

  it('waits as long as the other side asks (Retry-After) instead of the backoff', async () => {
    const time = fakeTime();
    const limited = Object.assign(new UnavailableError('429'), { waitMs: 7000 });
    const { fn } = failing(limited, down());
    await retry(
      fn,
      options(time, { maxMs: 60_000, requestedDelayMs: (e) => (e as { waitMs?: number }).waitMs }),
    );
    expect(time.sleeps).toEqual([7000, 200]);
  });

  it('stops when its signal aborts, throwing the last failure', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing(down(), down(), down());
    const sleep = async () => controller.abort(new Error('shutting down'));
    const err = await retry(fn, { what: 'x', baseMs: 1, maxMs: 1, signal: controller.signal, sleep }).catch(
      (e: unknown) => e,
    );
    expect(calls.n).toBe(1);
    expect((err as Error).message).toBe('broker down');
  });

  it('tells each wait to onRetry', async () => {
    const time = fakeTime();
    const events: Array<{ attempt: number; delayMs: number }> = [];
    await retry(
      failing(down(), down()).fn,
      options(time, { onRetry: ({ attempt, delayMs }) => events.push({ attempt, delayMs }) }),
    );
    expect(events).toEqual([
      { attempt: 0, delayMs: 100 },
      { attempt: 1, delayMs: 200 },
    ]);
  });
});

describe('the error family', () => {
  it('gives each kind a code, says what happened and what to do, and whether retrying helps', () => {
    const err = new ConfigError('LAKE_ENDPOINT: is required', { hint: 'set it to the S3 endpoint' });
    expect(err).toMatchObject({ code: 'ERR_CONFIG', retriable: false, name: 'ConfigError' });
    expect(err.describe()).toBe('LAKE_ENDPOINT: is required; set it to the S3 endpoint');
    expect(new UnavailableError('x')).toMatchObject({ code: 'ERR_UNAVAILABLE', retriable: true });
    expect(new PipelineError('x')).toMatchObject({ code: 'ERR_PIPELINE', retriable: false });
    expect(new PipelineError('x').describe()).toBe('x');
  });

  it('reads retriable through the cause chain, and a project error that says no is final', () => {
    expect(
      isRetriable(new Error('wrapped', { cause: Object.assign(new Error('kafkajs'), { retriable: true }) })),
    ).toBe(true);
    expect(isRetriable(new PipelineError('no', { cause: new UnavailableError('down') }))).toBe(false);
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable('a string')).toBe(false);
  });
});
