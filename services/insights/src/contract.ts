/**
 * The insights API contract: every request parameter and every response body as a zod schema. The server
 * validates requests and serializes responses with these, the OpenAPI description is generated from them,
 * and the dashboard imports their types, so the three cannot drift apart.
 */
import { DEVICE_TYPES } from '@spotify-pipeline/shared';
import { z } from 'zod';

// ---- parameters -------------------------------------------------------------------------------------------

/** Longest range any endpoint accepts, in days: bounds what one request can make the warehouse scan. */
export const MAX_RANGE_DAYS = 3660;

/** Control characters: no id holds one, and PostgreSQL refuses NUL in text outright. */
const hasNoControlCharacters = (s: string) =>
  ![...s].some((c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f;
  });

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-01-31')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'is not a real date');

/** An id as the event contract allows it (1-256 characters), minus control characters no warehouse stores. */
const entityId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine(hasNoControlCharacters, 'must not contain control characters');

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166-1 alpha-2 code such as GB');

const deviceType = z.enum(DEVICE_TYPES);

const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;

const rangeFields = {
  from: isoDate.optional().describe('first UTC day (default: 6 days before `to`)'),
  to: isoDate.optional().describe('last UTC day, inclusive (default: the newest day in gold)'),
};

const checkRange = (q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from > q.to)
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${q.to})` });
  else if (q.from && q.to && days(q.from, q.to) > MAX_RANGE_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range must be at most ${MAX_RANGE_DAYS} days`,
    });
};

const filterFields = {
  ...rangeFields,
  country: countryCode.optional().describe('only listening from this country'),
  device: deviceType.optional().describe('only listening on this device type'),
};

const limit = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const rangeQuery = z.object(rangeFields).strict().superRefine(checkRange);
export const filtersQuery = z.object(filterFields).strict().superRefine(checkRange);
export const chartQuery = z
  .object({ ...filterFields, limit: limit(10, 100) })
  .strict()
  .superRefine(checkRange);
export const chartKindParams = z.object({ kind: z.enum(['tracks', 'artists', 'genres']) }).strict();
export const trackParams = z.object({ trackId: entityId }).strict();
export const artistParams = z.object({ artistId: entityId }).strict();
export const listenerParams = z.object({ listenerId: entityId }).strict();
export const searchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .refine(hasNoControlCharacters, 'must not contain control characters')
      .describe('part of a listener id, case-insensitive'),
    limit: limit(20, 100),
  })
  .strict();
export const wrappedQuery = z
  .object({
    year: z.coerce.number().int().min(2000).max(2100).optional().describe('a calendar year (UTC)'),
    ...rangeFields,
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.year !== undefined && (q.from || q.to))
      ctx.addIssue({ code: 'custom', path: ['year'], message: 'give either year or from/to, not both' });
    checkRange(q, ctx);
  });

// ---- responses --------------------------------------------------------------------------------------------

const dateRange = z.object({ from: isoDate, to: isoDate });
const filters = z.object({ country: countryCode.optional(), device: deviceType.optional() });
const nullableNumber = z.number().nullable();

const measuresSchema = z.object({
  plays: z.number(),
  skips: z.number(),
  completes: z.number(),
  msPlayed: z.number().describe('milliseconds heard (skip and complete events)'),
  minutes: z.number(),
  skipRate: nullableNumber.describe('skips / (skips + completes); null when no play ended'),
});

const kpiSchema = z.object({
  value: nullableNumber,
  previous: nullableNumber.describe('the same figure over the previous period of the same length'),
  change: nullableNumber.describe('(value - previous) / previous; null when there is nothing to compare'),
});

export const overviewSchema = z.object({
  range: dateRange,
  previousRange: dateRange,
  filters,
  kpis: z.object({
    dailyActiveListeners: kpiSchema.describe('mean over the days of the listeners active that day'),
    plays: kpiSchema,
    minutes: kpiSchema,
    skipRate: kpiSchema,
  }),
  daily: z.array(measuresSchema.extend({ date: isoDate, activeListeners: z.number() })),
});

export const chartSchema = z.object({
  kind: z.enum(['tracks', 'artists', 'genres']),
  range: dateRange,
  filters,
  entries: z.array(
    measuresSchema.extend({
      rank: z.number().int(),
      id: z.string(),
      name: z.string(),
      artistId: z.string().nullable(),
      artistName: z.string().nullable(),
      listeners: z.number(),
    }),
  ),
});

const mixEntry = z.object({
  key: z.string(),
  listeners: z.number(),
  events: z.number(),
  plays: z.number(),
  msPlayed: z.number(),
  minutes: z.number(),
  skipRate: nullableNumber,
  minutesShare: z.number().describe('share of the minutes in the range, 0..1'),
});

export const mixSchema = z.object({
  range: dateRange,
  filters,
  countries: z.array(mixEntry),
  devices: z.array(mixEntry),
});

export const heatmapSchema = z.object({
  range: dateRange,
  filters,
  cells: z.array(
    z.object({
      dayOfWeek: z.number().int().describe('ISO: Monday = 1 ... Sunday = 7'),
      hour: z.number().int().describe('UTC hour, 0-23'),
      listeners: z.number(),
      plays: z.number(),
      minutes: z.number(),
    }),
  ),
});

const dailyPoint = z.object({ date: isoDate, listeners: z.number(), plays: z.number(), minutes: z.number() });

export const trackPageSchema = z.object({
  track: z.object({
    id: z.string(),
    name: z.string(),
    artistId: z.string(),
    artistName: z.string().nullable(),
    albumId: z.string().nullable(),
    durationMs: nullableNumber,
    popularity: nullableNumber,
  }),
  allTime: measuresSchema.extend({ listeners: z.number(), chartRank: z.number() }),
  range: dateRange,
  daily: z.array(dailyPoint),
});

export const artistPageSchema = z.object({
  artist: z.object({ id: z.string(), name: z.string(), genre: z.string().nullable() }),
  allTime: measuresSchema.extend({ listeners: z.number() }),
  range: dateRange,
  daily: z.array(dailyPoint),
  topTracks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      plays: z.number(),
      minutes: z.number(),
      chartRank: z.number(),
    }),
  ),
});

const listenerSummarySchema = z.object({
  listenerId: z.string(),
  country: z.string().nullable(),
  lastDevice: z.string().nullable(),
  firstEventAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  minutes: z.number().describe('all-time minutes listened'),
});

export const searchSchema = z.object({ listeners: z.array(listenerSummarySchema) });

const wrappedItem = z.object({
  rank: z.number().int(),
  id: z.string(),
  name: z.string(),
  artistName: z.string().nullable(),
  plays: z.number(),
  msPlayed: z.number(),
  minutes: z.number(),
});

const personalitySchema = z.object({
  name: z.string(),
  description: z.string(),
  explorationScore: nullableNumber.describe('distinct tracks played / plays'),
  explorationStyle: z.enum(['explorer', 'familiar']).nullable(),
  loyaltyScore: nullableNumber.describe('share of minutes on the top artist'),
  loyaltyStyle: z.enum(['loyal', 'varied']).nullable(),
  peakHour: z.number().int().nullable().describe('UTC hour with the most minutes'),
  timeOfDay: z.enum(['early bird', 'daytime listener', 'evening listener', 'night owl']).nullable(),
});

export const wrappedSchema = z.object({
  listenerId: z.string(),
  range: dateRange,
  totals: measuresSchema.extend({
    events: z.number(),
    distinctTracks: z.number(),
    distinctArtists: z.number(),
    activeDays: z.number(),
    firstEventAt: z.string().nullable(),
    lastEventAt: z.string().nullable(),
  }),
  topTracks: z.array(wrappedItem),
  topArtists: z.array(wrappedItem),
  topGenres: z.array(wrappedItem),
  topArtistStanding: z
    .object({
      artistId: z.string(),
      artistName: z.string(),
      listeners: z.number(),
      listenersAhead: z.number(),
      topPercent: z.number().describe('"top X% of listeners": 100 * (listenersAhead + 1) / listeners'),
    })
    .nullable(),
  clock: z.array(z.object({ hour: z.number().int(), plays: z.number(), minutes: z.number() })),
  months: z.array(
    z.object({
      month: z.string(),
      artistId: z.string(),
      artistName: z.string(),
      minutes: z.number(),
      plays: z.number(),
    }),
  ),
  personality: personalitySchema,
});

export const freshnessSchema = z.object({
  warehouse: z.enum(['duckdb', 'postgres', 'snowflake']),
  refreshedAt: z.string().nullable().describe('when gold was last built'),
  newestEventAt: z.string().nullable(),
  newestLoadedAt: z.string().nullable(),
  events: z.number(),
  lastLoadAt: z.string().nullable().describe('the newest load into bronze (may not be in gold yet)'),
  loadedObjects: z.number(),
  lakeWriterLag: z.discriminatedUnion('state', [
    z.object({ state: z.literal('measured'), events: z.number(), measuredAt: z.string() }),
    z.object({ state: z.literal('unavailable'), reason: z.string() }),
  ]),
});

export const metaSchema = z.object({
  firstDate: isoDate.nullable(),
  lastDate: isoDate.nullable(),
  countries: z.array(z.string()),
  devices: z.array(z.string()),
});

export const errorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
});

export type DateRange = z.infer<typeof dateRange>;
export type Filters = z.infer<typeof filters>;
export type Measures = z.infer<typeof measuresSchema>;
export type Kpi = z.infer<typeof kpiSchema>;
export type Overview = z.infer<typeof overviewSchema>;
export type DayFigures = Overview['daily'][number];
export type ChartKind = z.infer<typeof chartKindParams>['kind'];
export type TopChart = z.infer<typeof chartSchema>;
export type Mix = z.infer<typeof mixSchema>;
export type MixEntry = z.infer<typeof mixEntry>;
export type Heatmap = z.infer<typeof heatmapSchema>;
export type HeatmapCell = Heatmap['cells'][number];
export type DailyPoint = z.infer<typeof dailyPoint>;
export type TrackPage = z.infer<typeof trackPageSchema>;
export type ArtistPage = z.infer<typeof artistPageSchema>;
export type ListenerSummary = z.infer<typeof listenerSummarySchema>;
export type Wrapped = z.infer<typeof wrappedSchema>;
export type WrappedItem = z.infer<typeof wrappedItem>;
export type Personality = z.infer<typeof personalitySchema>;
export type Freshness = z.infer<typeof freshnessSchema>;
export type Meta = z.infer<typeof metaSchema>;
