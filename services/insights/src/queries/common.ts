import type { DateRange, Filters, Measures } from '../contract.js';
import type { GoldReader, Row } from '../readers/reader.js';
import { type Sql, sql } from '../sql/sql.js';

export type { DateRange, Filters, Measures, Row };

/** The part of a reader the queries need, so they can be tested with any implementation. */
export type Reader = Pick<GoldReader, 'query' | 'dialect'>;

const DAY_MS = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days in the inclusive range. */
export function daysIn(range: DateRange): number {
  return (
    Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / DAY_MS) + 1
  );
}

/** Every date of the inclusive range, in order. */
export function datesIn(range: DateRange): string[] {
  return Array.from({ length: daysIn(range) }, (_, i) => addDays(range.from, i));
}

/** The range of the same length that ends the day before `range` starts. */
export function previousRange(range: DateRange): DateRange {
  const days = daysIn(range);
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}

export function inRange(range: DateRange, column: Sql = sql`event_date`): Sql {
  return sql`${column} between cast(${range.from} as date) and cast(${range.to} as date)`;
}

/** `and country_code = ... and device_type = ...` for the filters that are set; nothing otherwise. */
export function andFilters(filters: Filters): Sql {
  const country = filters.country ? sql` and country_code = ${filters.country}` : sql``;
  const device = filters.device ? sql` and device_type = ${filters.device}` : sql``;
  return sql`${country}${device}`;
}

/** The measures every chart shares, over fct_listening_events rows (the dbt macro listening_measures). */
export const LISTENING_MEASURES = sql`
  cast(sum(case when event_type = 'play' then 1 else 0 end) as double precision) as plays,
  cast(sum(case when event_type = 'skip' then 1 else 0 end) as double precision) as skips,
  cast(sum(case when event_type = 'complete' then 1 else 0 end) as double precision) as completes,
  cast(coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) as double precision) as ms_played`;

export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
export const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
export const optionalText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

export const minutes = (ms: number): number => ms / 60_000;

/** Skips / (skips + completes); null when no play ended. */
export function skipRate(skips: number, completes: number): number | null {
  return skips + completes === 0 ? null : skips / (skips + completes);
}

export function measures(row: Row | undefined): Measures {
  const plays = num(row?.plays);
  const skips = num(row?.skips);
  const completes = num(row?.completes);
  const msPlayed = num(row?.ms_played);
  return {
    plays,
    skips,
    completes,
    msPlayed,
    minutes: minutes(msPlayed),
    skipRate: skipRate(skips, completes),
  };
}

/** A date column rendered as `YYYY-MM-DD` text the same way on every warehouse. */
export const dateText = (column: Sql): Sql => sql`cast(${column} as varchar)`;

/** Milliseconds since the epoch as a double, or null. */
export const epochMs = (reader: Reader, column: Sql): Sql =>
  sql`cast(${reader.dialect.epochMs(column)} as double precision)`;

export const isoOrNull = (ms: unknown): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
