import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { expect, it } from 'vitest';
import type {
  ArtistPage,
  ChartKind,
  DateRange,
  Filters,
  Freshness,
  Heatmap,
  Meta,
  Mix,
  Overview,
  TopChart,
  TrackPage,
  Wrapped,
} from '../src/contract.js';
import type { GoldReader } from '../src/readers/reader.js';
import { get, ok } from './api-client.js';
import type { GroundTruth } from './ground-truth.js';
import type { PipelineLake } from './pipeline.js';

export interface ApiContext {
  url: string;
  reader: GoldReader;
  truth: GroundTruth;
  lake: PipelineLake;
  close?: () => Promise<void>;
}

const query = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as Array<[string, string]>;
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]))}`
    : '';
};

const daysBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/** The most frequent value of a field among the events: a filter that is sure to select something. */
function commonest(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/** Every endpoint, over several ranges and filters, against the ground truth: whole answers, every figure. */
export function groundTruthChecks(ctx: ApiContext) {
  const scenarios = () => {
    const { truth } = ctx;
    const all: DateRange = { from: truth.firstDate, to: truth.lastDate };
    const lastTwo: DateRange = { from: daysBefore(truth.lastDate, 1), to: truth.lastDate };
    const country = commonest(truth.events.flatMap((e) => (e.country === null ? [] : [e.country])));
    const device = commonest(truth.events.map((e) => e.device_type)) as Filters['device'];
    const filters: Filters[] = [{}, { country }, { device }, { country, device }];
    return { all, lastTwo, filters };
  };

  it('meta: the dates, countries and devices gold covers', async () => {
    expect(await ok<Meta>(ctx.url, '/api/v1/meta')).toEqual(ctx.truth.meta());
  });

  it('overview: KPIs with their trend and the daily series, for ranges and filters', async () => {
    const { all, lastTwo, filters } = scenarios();
    const defaultRange = { from: daysBefore(ctx.truth.lastDate, 6), to: ctx.truth.lastDate };
    expect(await ok<Overview>(ctx.url, '/api/v1/overview')).toEqual(ctx.truth.overview(defaultRange, {}));
    for (const range of [all, lastTwo])
      for (const f of filters) {
        const answer = await ok<Overview>(ctx.url, `/api/v1/overview${query({ ...range, ...f })}`);
        expect(answer, JSON.stringify({ range, f })).toEqual(ctx.truth.overview(range, f));
      }
    // The last two days against the two before them: a real trend, not a comparison with nothing.
    const trend = await ok<Overview>(ctx.url, `/api/v1/overview${query(lastTwo)}`);
    expect(trend.kpis.plays.previous).toBeGreaterThan(0);
    expect(trend.kpis.plays.change).not.toBeNull();
  });

  it('top tracks, artists and genres, with filters and limits', async () => {
    const { all, lastTwo, filters } = scenarios();
    for (const kind of ['tracks', 'artists', 'genres'] as ChartKind[])
      for (const range of [all, lastTwo])
        for (const f of filters)
          for (const limit of [5, 100]) {
            const answer = await ok<TopChart>(
              ctx.url,
              `/api/v1/charts/${kind}${query({ ...range, ...f, limit })}`,
            );
            expect(answer, JSON.stringify({ kind, range, f, limit })).toEqual(
              ctx.truth.chart(kind, range, f, limit),
            );
          }
    const genres = ctx.truth.chart('genres', scenarios().all, {}, 100);
    expect(genres.entries.filter((e) => e.id !== 'unknown').length).toBeGreaterThan(3);
  });

  it('country and device mix, and the hour-of-week heatmap', async () => {
    const { all, lastTwo, filters } = scenarios();
    for (const range of [all, lastTwo])
      for (const f of filters) {
        const params = query({ ...range, ...f });
        expect(await ok<Mix>(ctx.url, `/api/v1/mix${params}`)).toEqual(ctx.truth.mix(range, f));
        expect(await ok<Heatmap>(ctx.url, `/api/v1/heatmap${params}`)).toEqual(ctx.truth.heatmap(range, f));
      }
  });

  it("a track's and an artist's page", async () => {
    const { all, lastTwo } = scenarios();
    const tracks = ctx.truth.chart('tracks', all, {}, 3).entries.map((e) => e.id);
    const artists = ctx.truth.chart('artists', all, {}, 3).entries.map((e) => e.id);
    for (const range of [all, lastTwo]) {
      for (const id of tracks)
        expect(
          await ok<TrackPage>(ctx.url, `/api/v1/tracks/${encodeURIComponent(id)}${query(range)}`),
        ).toEqual(ctx.truth.trackPage(id, range));
      for (const id of artists)
        expect(
          await ok<ArtistPage>(ctx.url, `/api/v1/artists/${encodeURIComponent(id)}${query(range)}`),
        ).toEqual(ctx.truth.artistPage(id, range));
    }
    const missing = await get(ctx.url, '/api/v1/tracks/no-such-track');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'no track "no-such-track" in gold' });
  });

  it('listener search', async () => {
    for (const [q, limit] of [
      ['u1', 20],
      ['U2', 5],
      ['u39', 20],
      ['u', 100],
      ['nobody', 20],
    ] as const)
      expect(
        (await ok<{ listeners: unknown }>(ctx.url, `/api/v1/listeners${query({ q, limit })}`)).listeners,
      ).toEqual(ctx.truth.search(q, limit));
  });

  it("listeners' Wrapped for the default year and for date ranges", async () => {
    const { truth } = ctx;
    const listeners = [...new Set(truth.events.map((e) => e.user_id))].sort();
    const busiest = commonest(truth.events.map((e) => e.user_id));
    const year = { from: '2026-01-01', to: '2026-12-31' };
    for (const id of [busiest, listeners[0]!, listeners[listeners.length - 1]!]) {
      expect(await ok<Wrapped>(ctx.url, `/api/v1/listeners/${id}/wrapped`)).toEqual(truth.wrapped(id, year));
      expect(await ok<Wrapped>(ctx.url, `/api/v1/listeners/${id}/wrapped?year=2026`)).toEqual(
        truth.wrapped(id, year),
      );
      expect(
        await ok<Wrapped>(ctx.url, `/api/v1/listeners/${id}/wrapped?from=2026-01-31&to=2026-02-01`),
      ).toEqual(truth.wrapped(id, { from: '2026-01-31', to: '2026-02-01' }));
    }
    const wrapped = await ok<Wrapped>(ctx.url, `/api/v1/listeners/${busiest}/wrapped`);
    // The scenario spans a month boundary, has genres, and the busiest listener has a standing to report.
    expect(wrapped.months.map((m) => m.month)).toEqual(['2026-01', '2026-02']);
    expect(wrapped.topGenres.length).toBeGreaterThan(0);
    expect(wrapped.topArtistStanding?.listeners).toBeGreaterThan(1);
    const empty = await ok<Wrapped>(ctx.url, `/api/v1/listeners/${busiest}/wrapped?year=2025`);
    expect(empty).toEqual(truth.wrapped(busiest, { from: '2025-01-01', to: '2025-12-31' }));
    expect(empty.totals.minutes).toBe(0);
  });

  it('a listener gold has never seen is a 404 with a message', async () => {
    const missing = await get(ctx.url, '/api/v1/listeners/u-nobody/wrapped');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no listener "u-nobody" in gold',
    });
  });

  it('freshness: newest event, events, loads and when gold was built', async () => {
    const { truth, lake } = ctx;
    const answer = await ok<Freshness>(ctx.url, '/api/v1/freshness');
    const newest = truth.events
      .map((e) => e.event_ts)
      .sort()
      .at(-1);
    const objects = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const stream = createObjectStore(lake.env).listObjectsV2(lake.env.LAKE_BUCKET, 'bronze/', true);
      stream.on('data', () => n++);
      stream.on('end', () => resolve(n));
      stream.on('error', reject);
    });
    expect(answer).toMatchObject({
      warehouse: ctx.reader.kind,
      newestEventAt: newest,
      events: truth.events.length,
      loadedObjects: objects,
      lakeWriterLag: { state: 'unavailable' },
    });
    const built = Date.parse(answer.refreshedAt!);
    expect(built).toBeGreaterThanOrEqual(Date.parse(answer.newestLoadedAt!));
    expect(built).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(answer.lastLoadAt!)).toBeLessThanOrEqual(built);
  });

  it('caches answers per gold build and says so', async () => {
    const path = `/api/v1/charts/artists?from=${ctx.truth.firstDate}&to=${ctx.truth.lastDate}&limit=7`;
    const first = await get(ctx.url, path);
    const second = await get(ctx.url, path);
    expect([first.headers.get('x-insights-cache'), second.headers.get('x-insights-cache')]).toEqual([
      'miss',
      'hit',
    ]);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('serves an OpenAPI description generated from the same schemas', async () => {
    const doc = await ok<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: unknown[] }>>;
    }>(ctx.url, '/api/openapi.json');
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/artists/{artistId}',
      '/api/v1/charts/{kind}',
      '/api/v1/freshness',
      '/api/v1/heatmap',
      '/api/v1/listeners',
      '/api/v1/listeners/{listenerId}/wrapped',
      '/api/v1/meta',
      '/api/v1/mix',
      '/api/v1/overview',
      '/api/v1/tracks/{trackId}',
    ]);
    const overview = JSON.stringify(doc.paths['/api/v1/overview']);
    expect(overview).toContain('"country"');
    expect(overview).toContain('smart_speaker');
  });
}
