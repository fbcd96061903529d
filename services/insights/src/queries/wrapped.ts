import type { Wrapped, WrappedItem } from '../contract.js';
import { type Sql, sql } from '../sql/sql.js';
import {
  type DateRange,
  dateText,
  epochMs,
  inRange,
  isoOrNull,
  LISTENING_MEASURES,
  measures,
  minutes,
  num,
  optionalText,
  type Reader,
  text,
} from './common.js';
import { personalityOf } from './personality.js';

/** The listener's events in the range: every Wrapped figure is an aggregate over these. */
function mine(listenerId: string, range: DateRange): Sql {
  return sql`
    select event_date, event_at, event_type, track_id, artist_id, ms_played
    from gold.fct_listening_events
    where user_id = ${listenerId} and ${inRange(range)}`;
}

const TOTALS = (reader: Reader, listenerId: string, range: DateRange) => sql`
  with mine as (${mine(listenerId, range)})
  select
    cast(count(*) as double precision) as events,
    ${LISTENING_MEASURES},
    cast(count(distinct case when event_type = 'play' then track_id end) as double precision) as distinct_tracks,
    cast(count(distinct case when event_type = 'play' then artist_id end) as double precision) as distinct_artists,
    cast(count(distinct event_date) as double precision) as active_days,
    ${epochMs(reader, sql`min(event_at)`)} as first_event_ms,
    ${epochMs(reader, sql`max(event_at)`)} as last_event_ms
  from mine`;

/** Top 5 tracks, artists and genres by minutes, then plays, then id (gold's wrapped_top_items rule). */
const TOP_ITEMS = (listenerId: string, range: DateRange) => sql`
  with mine as (${mine(listenerId, range)}),
  items as (
    select 'track' as item_type, track_id as item_id, ${LISTENING_MEASURES} from mine group by track_id
    union all
    select 'artist' as item_type, artist_id as item_id, ${LISTENING_MEASURES} from mine group by artist_id
    union all
    select 'genre' as item_type, artists.primary_genre as item_id, ${LISTENING_MEASURES}
    from mine
    inner join gold.dim_artists as artists on artists.artist_id = mine.artist_id
    where artists.primary_genre is not null
    group by artists.primary_genre
  ),
  ranked as (
    select
      *,
      row_number() over (partition by item_type order by ms_played desc, plays desc, item_id) as item_rank
    from items
  )
  select
    ranked.item_type, ranked.item_id, cast(ranked.item_rank as integer) as item_rank, ranked.plays,
    ranked.ms_played,
    case ranked.item_type
      when 'track' then tracks.track_name
      when 'artist' then artists.artist_name
      else ranked.item_id
    end as item_name,
    case when ranked.item_type = 'track' then track_artists.artist_name end as artist_name
  from ranked
  left join gold.dim_tracks as tracks on ranked.item_type = 'track' and tracks.track_id = ranked.item_id
  left join gold.dim_artists as track_artists on track_artists.artist_id = tracks.artist_id
  left join gold.dim_artists as artists on ranked.item_type = 'artist' and artists.artist_id = ranked.item_id
  where ranked.item_rank <= 5
  order by ranked.item_type, ranked.item_rank`;

const CLOCK = (listenerId: string, range: DateRange) => sql`
  with mine as (${mine(listenerId, range)})
  select cast(extract(hour from event_at) as integer) as hour_of_day, ${LISTENING_MEASURES}
  from mine
  group by cast(extract(hour from event_at) as integer)`;

/** Each month's top artist by minutes, then plays, then id (gold's wrapped_monthly_top_artist rule). */
const MONTHS = (listenerId: string, range: DateRange) => sql`
  with mine as (${mine(listenerId, range)}),
  monthly as (
    select cast(date_trunc('month', event_at) as date) as month_start, artist_id, ${LISTENING_MEASURES}
    from mine
    group by cast(date_trunc('month', event_at) as date), artist_id
  ),
  ranked as (
    select
      *,
      row_number() over (partition by month_start order by ms_played desc, plays desc, artist_id) as artist_rank
    from monthly
  )
  select ${dateText(sql`ranked.month_start`)} as month_start, ranked.artist_id, artists.artist_name,
    ranked.plays, ranked.ms_played
  from ranked
  left join gold.dim_artists as artists on artists.artist_id = ranked.artist_id
  where ranked.artist_rank = 1
  order by ranked.month_start`;

/**
 * How many listened to the artist in the range, and how many of them more than `ms` milliseconds. A range
 * that holds every event in gold reads the all-time totals of listener_artist_stats (the same figures, kept
 * per listener and artist, and stored in artist order in the DuckDB snapshot) instead of scanning every event.
 */
const STANDING = (artistId: string, range: DateRange | 'all', ms: number) => sql`
  with listeners as (${
    range === 'all'
      ? sql`
    select user_id, ms_played from gold.listener_artist_stats where artist_id = ${artistId}`
      : sql`
    select user_id, coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) as ms_played
    from gold.fct_listening_events
    where artist_id = ${artistId} and ${inRange(range)}
    group by user_id`
  }
  )
  select
    cast(count(*) as double precision) as listeners,
    cast(sum(case when ms_played > ${ms} then 1 else 0 end) as double precision) as ahead
  from listeners`;

function items(rows: Array<Record<string, unknown>>, type: string): WrappedItem[] {
  return rows
    .filter((r) => r.item_type === type)
    .map((r) => ({
      rank: num(r.item_rank),
      id: text(r.item_id),
      name: text(r.item_name ?? r.item_id),
      artistName: optionalText(r.artist_name),
      plays: num(r.plays),
      msPlayed: num(r.ms_played),
      minutes: minutes(num(r.ms_played)),
    }));
}

/**
 * One listener's Wrapped over a date range (a year, or any range). `coversAllOfGold` says the range holds
 * every day gold has, so all-time figures equal the range's.
 */
export async function getWrapped(
  reader: Reader,
  listenerId: string,
  range: DateRange,
  coversAllOfGold = false,
): Promise<Wrapped> {
  const [totalRows, itemRows, clockRows, monthRows] = await Promise.all([
    reader.query(TOTALS(reader, listenerId, range)),
    reader.query(TOP_ITEMS(listenerId, range)),
    reader.query(CLOCK(listenerId, range)),
    reader.query(MONTHS(listenerId, range)),
  ]);
  const t = totalRows[0];
  const totals = {
    ...measures(t),
    events: num(t?.events),
    distinctTracks: num(t?.distinct_tracks),
    distinctArtists: num(t?.distinct_artists),
    activeDays: num(t?.active_days),
    firstEventAt: isoOrNull(t?.first_event_ms),
    lastEventAt: isoOrNull(t?.last_event_ms),
  };
  const topArtists = items(itemRows, 'artist');
  const topArtistRow = itemRows.find((r) => r.item_type === 'artist' && num(r.item_rank) === 1);
  let topArtistStanding: Wrapped['topArtistStanding'] = null;
  if (topArtistRow) {
    const [standing] = await reader.query(
      STANDING(text(topArtistRow.item_id), coversAllOfGold ? 'all' : range, num(topArtistRow.ms_played)),
    );
    const listeners = num(standing?.listeners);
    const ahead = num(standing?.ahead);
    topArtistStanding = {
      artistId: text(topArtistRow.item_id),
      artistName: text(topArtistRow.item_name ?? topArtistRow.item_id),
      listeners,
      listenersAhead: ahead,
      topPercent: listeners === 0 ? 100 : (100 * (ahead + 1)) / listeners,
    };
  }
  const clockByHour = new Map(clockRows.map((r) => [num(r.hour_of_day), r]));
  const clock = Array.from({ length: 24 }, (_, hour) => {
    const r = clockByHour.get(hour);
    return { hour, plays: num(r?.plays), minutes: minutes(num(r?.ms_played)) };
  });
  return {
    listenerId,
    range,
    totals,
    topTracks: items(itemRows, 'track'),
    topArtists,
    topGenres: items(itemRows, 'genre'),
    topArtistStanding,
    clock,
    months: monthRows.map((r) => ({
      month: text(r.month_start).slice(0, 7),
      artistId: text(r.artist_id),
      artistName: text(r.artist_name ?? r.artist_id),
      minutes: minutes(num(r.ms_played)),
      plays: num(r.plays),
    })),
    personality: personalityOf({
      plays: totals.plays,
      distinctTracks: totals.distinctTracks,
      msPlayed: totals.msPlayed,
      topArtistMsPlayed: topArtists[0]?.msPlayed ?? 0,
      clock,
    }),
  };
}
