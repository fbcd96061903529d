/** Exponential backoff with full jitter: 200 ms, 400 ms, ... capped at `maxMs`. The one retry policy here. */
export function backoffDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, 200 * 2 ** Math.min(attempt, 20));
  return Math.max(50, Math.round(ceiling * random()));
}
