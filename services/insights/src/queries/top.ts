import type { ChartKind, TopChart } from '../contract.js';
import { type Sql, sql } from '../sql/sql.js';
import {
  andFilters,
  type DateRange,
  type Filters,
  inRange,
  LISTENING_MEASURES,
  measures,
  num,
  optionalText,
  type Reader,
  text,
} from './common.js';

/** Ranks the range's events by one key, an expression over `events` (and `artists` when `byGenre`). */
function ranked(key: Sql, range: DateRange, filters: Filters, limit: number, byGenre = false): Sql {
  const artists = byGenre
    ? sql`left join gold.dim_artists as artists on artists.artist_id = events.artist_id`
    : sql``;
  return sql`
    select
      ${key} as id,
      cast(count(distinct events.user_id) as double precision) as listeners,
      ${LISTENING_MEASURES}
    from gold.fct_listening_events as events
    ${artists}
    where ${inRange(range)}${andFilters(filters)}
    group by ${key}
    order by plays desc, ms_played desc, id
    limit ${limit}`;
}

/** Each chart: the ranking, then the names of the few entries it keeps. */
const CHARTS: Record<ChartKind, (range: DateRange, filters: Filters, limit: number) => Sql> = {
  tracks: (range, filters, limit) => sql`
    with top as (${ranked(sql`events.track_id`, range, filters, limit)})
    select top.*, tracks.track_name as name, tracks.artist_id, artists.artist_name
    from top
    left join gold.dim_tracks as tracks on tracks.track_id = top.id
    left join gold.dim_artists as artists on artists.artist_id = tracks.artist_id
    order by top.plays desc, top.ms_played desc, top.id`,
  artists: (range, filters, limit) => sql`
    with top as (${ranked(sql`events.artist_id`, range, filters, limit)})
    select top.*, artists.artist_name as name
    from top
    left join gold.dim_artists as artists on artists.artist_id = top.id
    order by top.plays desc, top.ms_played desc, top.id`,
  // Artists the catalog has no genre for count under 'unknown', as in gold's genre_daily_stats.
  genres: (range, filters, limit) => sql`
    with top as (${ranked(sql`coalesce(artists.primary_genre, 'unknown')`, range, filters, limit, true)})
    select top.*, top.id as name
    from top
    order by top.plays desc, top.ms_played desc, top.id`,
};

/**
 * The top tracks, artists or genres of a date range, most plays first (then minutes, then id, so ties are
 * stable), with country/device filters, from the events themselves (exact distinct listeners per entry).
 */
export async function getTopChart(
  reader: Reader,
  kind: ChartKind,
  range: DateRange,
  filters: Filters,
  limit: number,
): Promise<TopChart> {
  const rows = await reader.query(CHARTS[kind](range, filters, limit));
  return {
    kind,
    range,
    filters,
    entries: rows.map((r, i) => ({
      rank: i + 1,
      id: text(r.id),
      name: text(r.name),
      artistId: optionalText(r.artist_id),
      artistName: optionalText(r.artist_name),
      listeners: num(r.listeners),
      ...measures(r),
    })),
  };
}
