import type { ArtistPage, DailyPoint, TrackPage } from '../contract.js';
import { sql } from '../sql/sql.js';
import {
  type DateRange,
  datesIn,
  dateText,
  inRange,
  measures,
  minutes,
  num,
  optionalText,
  type Reader,
  text,
} from './common.js';

const DAILY = {
  track: { source: sql`gold.track_daily_stats`, key: sql`track_id` },
  artist: { source: sql`gold.artist_daily_stats`, key: sql`artist_id` },
};

async function dailySeries(
  reader: Reader,
  of: keyof typeof DAILY,
  id: string,
  range: DateRange,
): Promise<DailyPoint[]> {
  const { source, key } = DAILY[of];
  const rows = await reader.query(sql`
    select
      ${dateText(sql`event_date`)} as event_date,
      cast(listeners as double precision) as listeners,
      cast(plays as double precision) as plays,
      cast(ms_played as double precision) as ms_played
    from ${source}
    where ${key} = ${id} and ${inRange(range)}`);
  const byDate = new Map(rows.map((r) => [text(r.event_date), r]));
  return datesIn(range).map((date) => {
    const r = byDate.get(date);
    return { date, listeners: num(r?.listeners), plays: num(r?.plays), minutes: minutes(num(r?.ms_played)) };
  });
}

/** A track's page: what it is, its all-time figures and chart rank, and its days in the range. Null if unknown. */
export async function getTrackPage(
  reader: Reader,
  trackId: string,
  range: DateRange,
): Promise<TrackPage | null> {
  const [rows, daily] = await Promise.all([
    reader.query(sql`
      select
        tracks.track_id, tracks.track_name, tracks.artist_id, artists.artist_name, tracks.album_id,
        cast(tracks.duration_ms as double precision) as duration_ms,
        cast(tracks.popularity as double precision) as popularity,
        cast(stats.listeners as double precision) as listeners,
        cast(stats.plays as double precision) as plays,
        cast(stats.skips as double precision) as skips,
        cast(stats.completes as double precision) as completes,
        cast(stats.ms_played as double precision) as ms_played,
        cast(stats.chart_rank as double precision) as chart_rank
      from gold.dim_tracks as tracks
      left join gold.dim_artists as artists on artists.artist_id = tracks.artist_id
      left join gold.track_stats as stats on stats.track_id = tracks.track_id
      where tracks.track_id = ${trackId}`),
    dailySeries(reader, 'track', trackId, range),
  ]);
  const r = rows[0];
  if (!r) return null;
  return {
    track: {
      id: text(r.track_id),
      name: text(r.track_name),
      artistId: text(r.artist_id),
      artistName: optionalText(r.artist_name),
      albumId: optionalText(r.album_id),
      durationMs: r.duration_ms === null ? null : num(r.duration_ms),
      popularity: r.popularity === null ? null : num(r.popularity),
    },
    allTime: { ...measures(r), listeners: num(r.listeners), chartRank: num(r.chart_rank) },
    range,
    daily,
  };
}

/** An artist's page: genre, all-time figures, days in the range and their top tracks. Null if unknown. */
export async function getArtistPage(
  reader: Reader,
  artistId: string,
  range: DateRange,
): Promise<ArtistPage | null> {
  const [rows, daily, tracks] = await Promise.all([
    reader.query(sql`
      with listeners as (
        select
          cast(count(*) as double precision) as listeners,
          cast(sum(plays) as double precision) as plays,
          cast(sum(skips) as double precision) as skips,
          cast(sum(completes) as double precision) as completes,
          cast(sum(ms_played) as double precision) as ms_played
        from gold.listener_artist_stats
        where artist_id = ${artistId}
      )
      select artists.artist_id, artists.artist_name, artists.primary_genre, listeners.*
      from gold.dim_artists as artists
      cross join listeners
      where artists.artist_id = ${artistId}`),
    dailySeries(reader, 'artist', artistId, range),
    reader.query(sql`
      select
        track_id, track_name,
        cast(plays as double precision) as plays,
        cast(ms_played as double precision) as ms_played,
        cast(chart_rank as double precision) as chart_rank
      from gold.track_stats
      where artist_id = ${artistId}
      order by chart_rank
      limit ${10}`),
  ]);
  const r = rows[0];
  if (!r) return null;
  return {
    artist: { id: text(r.artist_id), name: text(r.artist_name), genre: optionalText(r.primary_genre) },
    allTime: { ...measures(r), listeners: num(r.listeners) },
    range,
    daily,
    topTracks: tracks.map((t) => ({
      id: text(t.track_id),
      name: text(t.track_name),
      plays: num(t.plays),
      minutes: minutes(num(t.ms_played)),
      chartRank: num(t.chart_rank),
    })),
  };
}
