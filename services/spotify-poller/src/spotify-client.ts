import type { Logger } from '@spotify-pipeline/shared';
import { isRetriable, PipelineError, retry, UnavailableError } from '@spotify-pipeline/shared';
import { z } from 'zod';

/** The token endpoint's answer to a refresh-token grant (Spotify may rotate the refresh token). */
const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
});

const artistSchema = z.object({ id: z.string().nullable(), name: z.string() });

/** `GET /v1/me/player/recently-played`, the fields the poller reads (documented shape, extra fields allowed). */
const recentlyPlayedSchema = z.object({
  items: z.array(
    z.object({
      played_at: z.string(),
      context: z.object({ type: z.string(), uri: z.string() }).nullable(),
      track: z.object({
        id: z.string().nullable(),
        name: z.string(),
        duration_ms: z.number().int().nonnegative(),
        artists: z.array(artistSchema),
        album: z.object({ id: z.string().nullable(), name: z.string() }).nullable().optional(),
      }),
    }),
  ),
  next: z.string().nullable(),
  cursors: z.object({ after: z.string(), before: z.string() }).nullable(),
  limit: z.number().int(),
});

export type RecentlyPlayed = z.infer<typeof recentlyPlayedSchema>;
export type PlayedItem = RecentlyPlayed['items'][number];

export interface AccessToken {
  accessToken: string;
  expiresAt: number;
  /** Present when Spotify rotated the refresh token; the old one may stop working. */
  rotatedRefreshToken?: string;
}

export interface SpotifyClientOptions {
  accountsUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Retries after a 5xx or a network error, with the shared backoff (jittered, doubling from `backoffMs`). */
  maxRetries?: number;
  backoffMs?: number;
  /** Longest Retry-After the client honours before giving up on this round. */
  maxRetryAfterMs?: number;
  /** Deadline of one request, body included: a server that accepts and never answers is a network error. */
  requestTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class SpotifyApiError extends PipelineError {
  static override readonly code: string = 'ERR_SPOTIFY_API';
  constructor(
    message: string,
    readonly status: number,
    options: { retriable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message, options.retriable === undefined ? {} : { retriable: options.retriable });
    this.retryAfterMs = options.retryAfterMs;
  }
  /** The wait a 429 asked for. */
  readonly retryAfterMs: number | undefined;
}

/**
 * The Spotify Web API calls the poller makes, on the shared retry(): 429 waits for the Retry-After the
 * API sends (a longer one than `maxRetryAfterMs` ends the round), 5xx and network errors back off, anything
 * else fails at once. Tokens go only into request headers and bodies, never into an error message or a log line.
 */
export function createSpotifyClient(options: SpotifyClientOptions) {
  const log = options.logger.child({ component: 'spotify-client' });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;

  /** One try: the parsed body of a 2xx, or an error that says whether another try can help. */
  async function once(what: string, url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
      if (response.ok) return await response.json();
    } catch (err) {
      throw new UnavailableError(`${what}: Spotify unreachable`, {
        cause: err,
        hint: 'check that SPOTIFY_API_URL and SPOTIFY_ACCOUNTS_URL are reachable from the pod; the next round tries again',
      });
    }
    await response.body?.cancel();
    if (response.status === 429) {
      const waitMs = retryAfterMs(response.headers.get('retry-after'));
      throw new SpotifyApiError(`${what}: rate limited for ${waitMs} ms`, 429, {
        retriable: true,
        retryAfterMs: waitMs,
      });
    }
    throw new SpotifyApiError(`${what}: HTTP ${response.status}`, response.status, {
      retriable: response.status >= 500,
    });
  }

  function request(what: string, url: string, init: RequestInit): Promise<unknown> {
    return retry(() => once(what, url, init), {
      what,
      baseMs: backoffMs,
      maxMs: Math.max(backoffMs, 30_000),
      maxAttempts: maxRetries + 1,
      retryable: (err) =>
        isRetriable(err) && !(err instanceof SpotifyApiError && (err.retryAfterMs ?? 0) > maxRetryAfterMs),
      requestedDelayMs: (err) => (err instanceof SpotifyApiError ? err.retryAfterMs : undefined),
      onRetry: ({ err, delayMs: waitMs }) => {
        if (err instanceof SpotifyApiError && err.status === 429)
          log.warn({ what, waitMs }, 'rate limited by Spotify: waiting as Retry-After asks');
        else if (err instanceof SpotifyApiError)
          log.warn({ what, status: err.status, waitMs }, 'Spotify server error: backing off');
        else log.warn({ what, waitMs }, 'Spotify unreachable: backing off');
      },
      sleep: (ms) => sleep(ms),
    });
  }

  return {
    async refresh(refreshToken: string): Promise<AccessToken> {
      const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
      const body = await request('token refresh', `${options.accountsUrl}/api/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      });
      const token = tokenSchema.parse(body);
      return {
        accessToken: token.access_token,
        expiresAt: now() + token.expires_in * 1000,
        ...(token.refresh_token && token.refresh_token !== refreshToken
          ? { rotatedRefreshToken: token.refresh_token }
          : {}),
      };
    },

    /** One page of plays strictly after `afterMs` (oldest first is not guaranteed; callers sort). */
    async recentlyPlayed(accessToken: string, afterMs: number, limit = 50): Promise<RecentlyPlayed> {
      const url = `${options.apiUrl}/v1/me/player/recently-played?limit=${limit}&after=${afterMs}`;
      const body = await request('recently-played', url, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const parsed = recentlyPlayedSchema.safeParse(body);
      if (!parsed.success) throw new SpotifyApiError('recently-played: unexpected response shape', 200);
      return parsed.data;
    },
  };
}

export type SpotifyClient = ReturnType<typeof createSpotifyClient>;

/** Retry-After is seconds (or an HTTP date); a missing or odd value waits one second. */
function retryAfterMs(header: string | null): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}
