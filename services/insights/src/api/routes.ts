import { UnavailableError } from '@spotify-pipeline/shared';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AnswerCache } from '../cache.js';
import {
  artistPageSchema,
  artistParams,
  chartKindParams,
  chartQuery,
  chartSchema,
  errorSchema,
  type Filters,
  filtersQuery,
  freshnessSchema,
  heatmapSchema,
  listenerParams,
  type Meta,
  metaSchema,
  mixSchema,
  overviewSchema,
  rangeQuery,
  searchQuery,
  searchSchema,
  trackPageSchema,
  trackParams,
  wrappedQuery,
  wrappedSchema,
} from '../contract.js';
import type { LagProbe } from '../lake-writer-lag.js';
import { getArtistPage, getTrackPage } from '../queries/catalog-pages.js';
import { getGoldFreshness } from '../queries/freshness.js';
import { getHeatmap } from '../queries/heatmap.js';
import { findListener, searchListeners } from '../queries/listeners.js';
import { getMeta } from '../queries/meta.js';
import { getMix } from '../queries/mix.js';
import { getOverview } from '../queries/overview.js';
import { getTopChart } from '../queries/top.js';
import { getWrapped } from '../queries/wrapped.js';
import type { GoldReader } from '../readers/reader.js';
import { NotFoundError } from './errors.js';
import { chartRange, wrappedRange } from './ranges.js';

export interface ApiDependencies {
  reader: GoldReader;
  cache: AnswerCache;
  /** Absent when the service has no Kafka connection to measure the lake writer's lag with. */
  lag: LagProbe | null;
  /** Seconds browsers and proxies may reuse an answer. */
  maxAgeSeconds: number;
  /** The schema the loader writes bronze and its load manifest into (BRONZE_SCHEMA). */
  bronzeSchema: string;
  today: () => string;
}

const errors = { 400: errorSchema, 404: errorSchema, 503: errorSchema, 504: errorSchema };

/** The JSON API under /api/v1. Every answer is cached per gold data version, route and parameters. */
export const apiRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const { reader, cache } = deps;

  async function answer<T>(reply: FastifyReply, key: string, compute: () => Promise<T>): Promise<T> {
    const reason = reader.unavailableReason();
    if (reason) throw new UnavailableError(reason);
    const { value, hit } = await cache.get(`${reader.dataVersion()}|${key}`, compute);
    void reply
      .header('x-insights-cache', hit ? 'hit' : 'miss')
      .header('cache-control', `public, max-age=${deps.maxAgeSeconds}`);
    return value;
  }

  // What gold covers changes only with a new build: kept per data version, whatever the answer cache does.
  let metaOfVersion: { version: string; meta: Promise<Meta> } | undefined;
  const meta = (): Promise<Meta> => {
    const reason = reader.unavailableReason();
    if (reason) return Promise.reject(new UnavailableError(reason));
    const version = reader.dataVersion();
    if (metaOfVersion?.version !== version) {
      const pending = getMeta(reader);
      metaOfVersion = { version, meta: pending };
      pending.catch(() => {
        if (metaOfVersion?.meta === pending) metaOfVersion = undefined;
      });
    }
    return metaOfVersion.meta;
  };
  // The newest day in gold is needed only when the request leaves `to` out.
  const rangeFor = async (query: { from?: string | undefined; to?: string | undefined }) =>
    chartRange(query, query.to ? null : (await meta()).lastDate, deps.today());
  const filtersOf = (q: Filters): Filters => ({
    ...(q.country ? { country: q.country } : {}),
    ...(q.device ? { device: q.device } : {}),
  });

  app.get(
    '/meta',
    {
      schema: {
        summary: 'Dates, countries and devices gold covers',
        response: { 200: metaSchema, ...errors },
      },
    },
    (_request, reply) => answer(reply, 'meta', meta),
  );

  app.get(
    '/overview',
    {
      schema: {
        summary:
          'Daily active listeners, plays, minutes and skip rate, with the trend against the previous period',
        querystring: filtersQuery,
        response: { 200: overviewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const filters = filtersOf(request.query);
      return answer(reply, `overview|${JSON.stringify([range, filters])}`, () =>
        getOverview(reader, range, filters),
      );
    },
  );

  app.get(
    '/charts/:kind',
    {
      schema: {
        summary: 'Top tracks, artists or genres of a date range, most plays first',
        params: chartKindParams,
        querystring: chartQuery,
        response: { 200: chartSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const filters = filtersOf(request.query);
      const { kind } = request.params;
      const { limit } = request.query;
      return answer(reply, `chart|${JSON.stringify([kind, range, filters, limit])}`, () =>
        getTopChart(reader, kind, range, filters, limit),
      );
    },
  );

  app.get(
    '/mix',
    {
      schema: {
        summary: 'Listening by country and by device type',
        querystring: filtersQuery,
        response: { 200: mixSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const filters = filtersOf(request.query);
      return answer(reply, `mix|${JSON.stringify([range, filters])}`, () => getMix(reader, range, filters));
    },
  );

  app.get(
    '/heatmap',
    {
      schema: {
        summary: 'Listening by UTC hour of the week',
        querystring: filtersQuery,
        response: { 200: heatmapSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const filters = filtersOf(request.query);
      return answer(reply, `heatmap|${JSON.stringify([range, filters])}`, () =>
        getHeatmap(reader, range, filters),
      );
    },
  );

  app.get(
    '/tracks/:trackId',
    {
      schema: {
        summary: "A track's page: all-time figures, chart rank and its days in the range",
        params: trackParams,
        querystring: rangeQuery,
        response: { 200: trackPageSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const { trackId } = request.params;
      const page = await answer(reply, `track|${JSON.stringify([trackId, range])}`, () =>
        getTrackPage(reader, trackId, range),
      );
      if (!page) throw new NotFoundError(`no track ${JSON.stringify(trackId)} in gold`);
      return page;
    },
  );

  app.get(
    '/artists/:artistId',
    {
      schema: {
        summary: "An artist's page: genre, all-time figures, days in the range and top tracks",
        params: artistParams,
        querystring: rangeQuery,
        response: { 200: artistPageSchema, ...errors },
      },
    },
    async (request, reply) => {
      const range = await rangeFor(request.query);
      const { artistId } = request.params;
      const page = await answer(reply, `artist|${JSON.stringify([artistId, range])}`, () =>
        getArtistPage(reader, artistId, range),
      );
      if (!page) throw new NotFoundError(`no artist ${JSON.stringify(artistId)} in gold`);
      return page;
    },
  );

  app.get(
    '/listeners',
    {
      schema: {
        summary: 'Listeners whose id contains the search text',
        querystring: searchQuery,
        response: { 200: searchSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { q, limit } = request.query;
      const listeners = await answer(reply, `search|${JSON.stringify([q.toLowerCase(), limit])}`, () =>
        searchListeners(reader, q, limit),
      );
      return { listeners };
    },
  );

  app.get(
    '/listeners/:listenerId/wrapped',
    {
      schema: {
        summary: "One listener's Wrapped for a year or a date range",
        params: listenerParams,
        querystring: wrappedQuery,
        response: { 200: wrappedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { listenerId } = request.params;
      const listener = await answer(reply, `listener|${JSON.stringify(listenerId)}`, () =>
        findListener(reader, listenerId),
      );
      if (!listener) throw new NotFoundError(`no listener ${JSON.stringify(listenerId)} in gold`);
      const range = wrappedRange(request.query, (listener.lastEventAt ?? `${deps.today()}T`).slice(0, 10));
      const { firstDate, lastDate } = await meta();
      const coversAll = !!firstDate && !!lastDate && range.from <= firstDate && range.to >= lastDate;
      return answer(reply, `wrapped|${JSON.stringify([listenerId, range])}`, () =>
        getWrapped(reader, listenerId, range, coversAll),
      );
    },
  );

  app.get(
    '/freshness',
    {
      schema: {
        summary: 'When gold was last refreshed, its newest event, the last load and the lake writer lag',
        response: { 200: freshnessSchema, ...errors },
      },
    },
    async (_request, reply) => {
      const [gold, lag] = await Promise.all([
        answer(reply, 'freshness', () => getGoldFreshness(reader, deps.bronzeSchema)),
        deps.lag?.current() ??
          Promise.resolve({
            state: 'unavailable' as const,
            reason: 'no Kafka connection configured (KAFKA_BROKERS)',
          }),
      ]);
      void reply.header('cache-control', 'no-cache');
      return { warehouse: reader.kind, ...gold, lakeWriterLag: lag };
    },
  );
};
