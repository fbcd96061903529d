// A stand-in for the two Spotify Web API endpoints the poller calls (the live API is unreachable here).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A play in the shape `GET /v1/me/player/recently-played` documents (a trimmed but faithful subset). */
export function playedItem(index: number, playedAtMs: number) {
  const id = `track${String(index % 40).padStart(17, '0')}`;
  const artist = {
    id: `artist${String(index % 9).padStart(16, '0')}`,
    name: `Artist ${index % 9}`,
    type: 'artist',
  };
  return {
    track: {
      id,
      name: `Track ${index % 40}`,
      duration_ms: 150_000 + (index % 7) * 10_000,
      explicit: false,
      popularity: 50,
      type: 'track',
      uri: `spotify:track:${id}`,
      artists: [artist],
      album: {
        id: `album${String(index % 12).padStart(17, '0')}`,
        name: `Album ${index % 12}`,
        album_type: 'album',
        release_date: '2021-04-09',
        artists: [artist],
      },
    },
    played_at: new Date(playedAtMs).toISOString(),
    context:
      index % 3 === 0
        ? null
        : {
            type: index % 3 === 1 ? 'playlist' : 'album',
            uri: `spotify:${index % 3 === 1 ? 'playlist' : 'album'}:ctx${index % 5}`,
            href: 'https://api.spotify.com/v1/x',
          },
  };
}

type Item = ReturnType<typeof playedItem>;

export interface FakeSpotify {
  url: string;
  /** Plays per user, oldest first; tests append to simulate new listening. */
  plays: Map<string, Item[]>;
  /** `after` values received per user, in order. */
  afters: Map<string, number[]>;
  tokenRequests: number;
  /** The next API responses (recently-played only) are these statuses, e.g. 429 with Retry-After. */
  failNext(...failures: Array<{ status: number; headers?: Record<string, string> }>): void;
  /** Makes the next token response carry a new refresh token for that user. */
  rotate(refreshToken: string, next: string): void;
  stop(): Promise<void>;
}

/** A local stand-in for accounts.spotify.com and api.spotify.com, enough for the poller's calls. */
export async function startFakeSpotify(options: {
  clientId: string;
  clientSecret: string;
  refreshTokens: Record<string, string>;
}): Promise<FakeSpotify> {
  const refresh = new Map(Object.entries(options.refreshTokens));
  const access = new Map<string, string>();
  const rotations = new Map<string, string>();
  const failures: Array<{ status: number; headers?: Record<string, string> }> = [];
  let issued = 0;
  const fake: Omit<FakeSpotify, 'url' | 'stop'> = {
    plays: new Map(),
    afters: new Map(),
    tokenRequests: 0,
    failNext: (...f) => failures.push(...f),
    rotate: (token, next) => rotations.set(token, next),
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, base: string) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'POST' && url.pathname === '/api/token') {
      fake.tokenRequests += 1;
      const expected = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const token = form.get('refresh_token') ?? '';
      const user = refresh.get(token);
      if (form.get('grant_type') !== 'refresh_token' || !user)
        return json(res, 400, { error: 'invalid_grant' });
      const accessToken = `access-${user}-${++issued}`;
      access.set(accessToken, user);
      const rotated = rotations.get(token);
      if (rotated) {
        rotations.delete(token);
        refresh.delete(token);
        refresh.set(rotated, user);
      }
      return json(res, 200, {
        access_token: accessToken,
        token_type: 'Bearer',
        scope: 'user-read-recently-played',
        expires_in: 3600,
        ...(rotated ? { refresh_token: rotated } : {}),
      });
    }
    if (req.method === 'GET' && url.pathname === '/v1/me/player/recently-played') {
      const failure = failures.shift();
      if (failure)
        return json(
          res,
          failure.status,
          { error: { status: failure.status, message: 'injected' } },
          failure.headers,
        );
      const user = access.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!user) return json(res, 401, { error: { status: 401, message: 'The access token expired' } });
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(50, Number(url.searchParams.get('limit') ?? 20));
      fake.afters.set(user, [...(fake.afters.get(user) ?? []), after]);
      const newer = (fake.plays.get(user) ?? []).filter((p) => Date.parse(p.played_at) > after);
      const page = newer.slice(0, limit);
      const times = page.map((p) => Date.parse(p.played_at));
      const cursorAfter = times.length ? Math.max(...times) : after;
      return json(res, 200, {
        href: url.toString(),
        limit,
        // The API lists a page newest first.
        items: [...page].reverse(),
        next:
          newer.length > limit
            ? `${base}/v1/me/player/recently-played?after=${cursorAfter}&limit=${limit}`
            : null,
        cursors: times.length ? { after: String(cursorAfter), before: String(Math.min(...times)) } : null,
      });
    }
    json(res, 404, { error: { status: 404, message: 'not found' } });
  };

  let base = '';
  const server = createServer((req, res) => {
    handle(req, res, base).catch((err: Error) => json(res, 500, { error: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...fake,
    get tokenRequests() {
      return fake.tokenRequests;
    },
    url: base,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
