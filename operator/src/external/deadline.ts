import { DeadlineError } from '@spotify-pipeline/shared';

/**
 * Runs `fn` with a signal that aborts when `ms` have passed, and rejects at that moment with a
 * DeadlineError whatever `fn` does. `fn` uses the signal to let go of its sockets; the signal is its own,
 * so its listeners die with it.
 */
export async function withDeadline<T>(
  what: string,
  ms: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineError(what, ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
