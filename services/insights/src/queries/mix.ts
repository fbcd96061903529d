import type { Mix, MixEntry } from '../contract.js';
import { type Sql, sql } from '../sql/sql.js';
import {
  andFilters,
  type DateRange,
  type Filters,
  inRange,
  minutes,
  num,
  type Reader,
  skipRate,
  text,
} from './common.js';

function mixBy(column: Sql, range: DateRange, filters: Filters): Sql {
  return sql`
    select
      ${column} as key,
      cast(count(distinct user_id) as double precision) as listeners,
      cast(sum(events) as double precision) as events,
      cast(sum(plays) as double precision) as plays,
      cast(sum(skips) as double precision) as skips,
      cast(sum(completes) as double precision) as completes,
      cast(sum(ms_played) as double precision) as ms_played
    from gold.listener_daily_activity
    where ${inRange(range)}${andFilters(filters)}
    group by ${column}`;
}

function entries(rows: Array<Record<string, unknown>>): MixEntry[] {
  const total = rows.reduce((n, r) => n + num(r.ms_played), 0);
  return rows
    .map((r) => ({
      key: text(r.key),
      listeners: num(r.listeners),
      events: num(r.events),
      plays: num(r.plays),
      msPlayed: num(r.ms_played),
      minutes: minutes(num(r.ms_played)),
      skipRate: skipRate(num(r.skips), num(r.completes)),
      minutesShare: total === 0 ? 0 : num(r.ms_played) / total,
    }))
    .sort((a, b) => b.msPlayed - a.msPlayed || b.listeners - a.listeners || a.key.localeCompare(b.key));
}

/** Listening by country and by device type over a date range (most minutes first). */
export async function getMix(reader: Reader, range: DateRange, filters: Filters): Promise<Mix> {
  const [countries, devices] = await Promise.all([
    reader.query(mixBy(sql`country_code`, range, filters)),
    reader.query(mixBy(sql`device_type`, range, filters)),
  ]);
  return { range, filters, countries: entries(countries), devices: entries(devices) };
}
