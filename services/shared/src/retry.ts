// The one retry policy of the project: exponential backoff with full jitter, a deadline over all attempts,
// and a predicate that decides which failures are worth another try (by default the errors' `retriable`).
import { DeadlineError, isRetriable } from './errors.js';

export interface BackoffPolicy {
  /** The ceiling of the first wait; each later attempt doubles it. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first): uniformly random between 0 and
 * min(maxMs, baseMs x 2^attempt) ("full jitter"), so clients that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}

interface RetryEvent {
  /** The attempt that failed, from 0. */
  attempt: number;
  err: unknown;
  delayMs: number;
}

export interface RetryOptions extends BackoffPolicy {
  /** What is being tried, for the deadline's message: "token refresh". */
  what: string;
  /** Attempts in all, the first included. Default: until the deadline (or forever without one). */
  maxAttempts?: number;
  /** Time for all attempts and waits together; the attempt running when it passes sees its signal abort. */
  deadlineMs?: number;
  /** Whether a failure is worth another attempt. Default: isRetriable (the errors' `retriable`). */
  retryable?: (err: unknown) => boolean;
  /** A wait the other side asked for (HTTP Retry-After): used instead of the backoff when defined. */
  requestedDelayMs?: (err: unknown) => number | undefined;
  /** Called before each wait, to log it. */
  onRetry?: (event: RetryEvent) => void;
  /** Stops waiting and trying: the last failure is thrown. */
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, the attempts are used up (the last failure
 * is thrown as it is) or the next wait would end past the deadline (a DeadlineError whose cause is the
 * last failure). Each attempt gets a signal that aborts at the deadline or when `signal` does.
 */
export async function retry<T>(
  attempt: (n: number, signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const retryable = options.retryable ?? isRetriable;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const started = now();
  const deadlineAt =
    options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + options.deadlineMs;
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () => stop.abort(new DeadlineError(options.what, options.deadlineMs!)),
          Math.max(0, options.deadlineMs),
        );
  timer?.unref();
  try {
    for (let n = 0; ; n++) {
      if (options.signal?.aborted) throw options.signal.reason;
      try {
        return await attempt(n, stop.signal);
      } catch (err) {
        if (options.signal?.aborted || n + 1 >= maxAttempts || !retryable(err)) throw err;
        const delayMs = Math.max(
          0,
          options.requestedDelayMs?.(err) ?? backoffDelay(n, options, options.random),
        );
        const gaveUp = () =>
          new DeadlineError(options.what, options.deadlineMs!, {
            cause: err,
            detail: `${options.what} still failing after ${n + 1} attempts in ${seconds(now() - started)}s (deadline ${seconds(options.deadlineMs!)}s): ${err instanceof Error ? err.message : String(err)}`,
          });
        if (stop.signal.aborted || now() + delayMs > deadlineAt) throw gaveUp();
        options.onRetry?.({ attempt: n, err, delayMs });
        await sleep(delayMs, stop.signal);
        if (options.signal?.aborted) throw err;
        if (stop.signal.aborted) throw gaveUp();
      }
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
