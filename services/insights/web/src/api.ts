import type {
  ArtistPage,
  ChartKind,
  Freshness,
  Heatmap,
  ListenerSummary,
  Meta,
  Mix,
  Overview,
  TopChart,
  TrackPage,
  Wrapped,
} from '../../src/contract.js';

export type {
  ArtistPage,
  ChartKind,
  Freshness,
  Heatmap,
  ListenerSummary,
  Meta,
  Mix,
  Overview,
  TopChart,
  TrackPage,
  Wrapped,
};

/** An answer other than 200: the API's own message, which is written for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | undefined>;

function queryString(params: Params): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}

async function get<T>(path: string, params: Params = {}): Promise<T> {
  const response = await fetch(`/api/v1${path}${queryString(params)}`, {
    headers: { accept: 'application/json' },
  });
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  if (!response.ok)
    throw new ApiError(response.status, body?.message ?? `the service answered ${response.status}`);
  return body as T;
}

const id = (value: string) => encodeURIComponent(value);

export const api = {
  meta: () => get<Meta>('/meta'),
  freshness: () => get<Freshness>('/freshness'),
  overview: (p: Params) => get<Overview>('/overview', p),
  chart: (kind: ChartKind, p: Params) => get<TopChart>(`/charts/${kind}`, p),
  mix: (p: Params) => get<Mix>('/mix', p),
  heatmap: (p: Params) => get<Heatmap>('/heatmap', p),
  track: (trackId: string, p: Params) => get<TrackPage>(`/tracks/${id(trackId)}`, p),
  artist: (artistId: string, p: Params) => get<ArtistPage>(`/artists/${id(artistId)}`, p),
  search: (q: string) => get<{ listeners: ListenerSummary[] }>('/listeners', { q, limit: 25 }),
  wrapped: (listenerId: string, p: Params) => get<Wrapped>(`/listeners/${id(listenerId)}/wrapped`, p),
};
