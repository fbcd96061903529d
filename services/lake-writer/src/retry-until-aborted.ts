import { retry } from '@spotify-pipeline/shared';

const ABORTED = Symbol('aborted');

export interface RetryUntilAbortedOptions {
  what: string;
  /** The longest wait between attempts. */
  maxMs: number;
  /** Checked before every attempt: true once the partition is revoked or shutdown gave up. */
  shouldAbort(): boolean;
  /** Called on every failure, with the attempt that failed (from 0). */
  onFailure(err: unknown, attempt: number): void;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/**
 * Runs `step` until it succeeds (true) or `shouldAbort` turns true (false): the lake writer never gives up on
 * the store or the dead-letter topic by itself, only when its partition is revoked or shutdown gives up. The
 * waits are the shared retry()'s backoff (full jitter, from 200 ms up to `maxMs`).
 */
export async function retryUntilAborted(
  step: () => Promise<void>,
  options: RetryUntilAbortedOptions,
): Promise<boolean> {
  const { sleep } = options;
  try {
    await retry(
      async (attempt) => {
        if (options.shouldAbort()) throw ABORTED;
        try {
          await step();
        } catch (err) {
          options.onFailure(err, attempt);
          throw err;
        }
      },
      {
        what: options.what,
        baseMs: 200,
        maxMs: options.maxMs,
        retryable: (err) => err !== ABORTED && !options.shouldAbort(),
        ...(sleep ? { sleep: (ms: number) => sleep(ms) } : {}),
      },
    );
    return true;
  } catch (err) {
    if (err === ABORTED || options.shouldAbort()) return false;
    throw err;
  }
}
