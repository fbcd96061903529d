import { DeadlineError } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('returns what finishes in time', async () => {
    expect(await withDeadline('x', 1000, async () => 42)).toBe(42);
  });

  it('rejects at the deadline and aborts the signal of what never answers', async () => {
    let seen: AbortSignal | undefined;
    const err = await withDeadline('the object store at http://127.0.0.1:1', 20, (signal) => {
      seen = signal;
      return new Promise(() => {});
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toBe('the object store at http://127.0.0.1:1 did not answer within 0.02s');
    expect(seen?.aborted).toBe(true);
  });
});
