import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { BlobStore } from './state-blobs.js';

const sealedSchema = z.object({ iv: z.string(), tag: z.string(), data: z.string() });

const storedSchema = z.object({
  /** recently-played `after` cursor: Unix ms of the newest play already published. */
  after: z.number().int().nonnegative(),
  lastEndMs: z.number().int().nullable(),
  sessionId: z.string().nullable(),
  /** Set only when Spotify rotated the refresh token: AES-256-GCM, bound to the listener. */
  refreshToken: sealedSchema.optional(),
});

export interface ListenerState {
  after: number;
  lastEndMs: number | null;
  sessionId: string | null;
  /** Set only when Spotify rotated the refresh token; read before the configured one. */
  refreshToken?: string;
}

export const INITIAL_STATE: ListenerState = { after: 0, lastEndMs: null, sessionId: null };

export interface StateStore {
  get(userId: string): Promise<ListenerState>;
  put(userId: string, state: ListenerState): Promise<void>;
}

/**
 * A listener's cursor and session, one small JSON object per listener in `blobs` (the lake on Kubernetes,
 * files locally). A cursor is saved only after Kafka acknowledged the events it covers, so a crash re-reads a
 * window (same event ids) rather than skipping one. A refresh token Spotify rotated is a credential, so it is
 * stored encrypted with a key derived from the client secret (which never leaves the Secret): whoever can
 * read the lake cannot use it. If the client secret changes, the stored token cannot be read and the
 * configured one is used again (`onUnreadableToken`).
 */
export function createStateStore(params: {
  blobs: BlobStore;
  clientSecret: string;
  onUnreadableToken?: (userId: string) => void;
}): StateStore {
  const key = Buffer.from(hkdfSync('sha256', params.clientSecret, 'spotify-poller-state', 'v1', 32));
  const name = (userId: string) => `${encodeURIComponent(userId)}.json`;

  const seal = (userId: string, token: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(userId));
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  };
  const open = (userId: string, sealed: z.infer<typeof sealedSchema>): string | undefined => {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
        .setAAD(Buffer.from(userId))
        .setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.data, 'base64')),
        decipher.final(),
      ]).toString();
    } catch {
      params.onUnreadableToken?.(userId);
      return undefined;
    }
  };

  return {
    async get(userId) {
      const bytes = await params.blobs.get(name(userId));
      if (!bytes) return { ...INITIAL_STATE };
      const stored = storedSchema.parse(JSON.parse(bytes.toString('utf8')));
      const { refreshToken, ...rest } = stored;
      const token = refreshToken ? open(userId, refreshToken) : undefined;
      return token === undefined ? rest : { ...rest, refreshToken: token };
    },
    async put(userId, state) {
      const { refreshToken, ...rest } = state;
      const stored = refreshToken ? { ...rest, refreshToken: seal(userId, refreshToken) } : rest;
      await params.blobs.put(name(userId), Buffer.from(JSON.stringify(stored)));
    },
  };
}
