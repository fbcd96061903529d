import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  /** recently-played `after` cursor: Unix ms of the newest play already published. */
  after: z.number().int().nonnegative(),
  lastEndMs: z.number().int().nullable(),
  sessionId: z.string().nullable(),
  /** Set only when Spotify rotated the refresh token; read before the configured one. */
  refreshToken: z.string().optional(),
});

export type ListenerState = z.infer<typeof stateSchema>;

export const INITIAL_STATE: ListenerState = { after: 0, lastEndMs: null, sessionId: null };

/**
 * One small JSON file per listener, replaced atomically (write, then rename) and readable only by the
 * owner, because it can hold a rotated refresh token. A cursor is saved only after Kafka acknowledged the
 * events it covers, so a crash re-reads a window (same event ids) rather than skipping one.
 */
export function createStateStore(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (userId: string) => join(dir, `${encodeURIComponent(userId)}.json`);
  return {
    get(userId: string): ListenerState {
      let text: string;
      try {
        text = readFileSync(path(userId), 'utf8');
      } catch {
        return { ...INITIAL_STATE };
      }
      return stateSchema.parse(JSON.parse(text));
    },
    put(userId: string, state: ListenerState): void {
      const tmp = `${path(userId)}.tmp`;
      writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      renameSync(tmp, path(userId));
    },
  };
}

export type StateStore = ReturnType<typeof createStateStore>;
