import type { Heatmap, HeatmapCell } from '../contract.js';
import { sql } from '../sql/sql.js';
import {
  andFilters,
  type DateRange,
  type Filters,
  inRange,
  LISTENING_MEASURES,
  minutes,
  num,
  type Reader,
} from './common.js';

/** Listening by UTC hour of the week over a date range, like gold's hour_of_week_heatmap. */
export async function getHeatmap(reader: Reader, range: DateRange, filters: Filters): Promise<Heatmap> {
  const rows = await reader.query(sql`
    with placed as (
      select
        cast(${reader.dialect.isoDayOfWeek(sql`event_at`)} as integer) as day_of_week,
        cast(extract(hour from event_at) as integer) as hour_of_day,
        user_id,
        event_type,
        ms_played
      from gold.fct_listening_events
      where ${inRange(range)}${andFilters(filters)}
    )
    select
      day_of_week,
      hour_of_day,
      cast(count(distinct user_id) as double precision) as listeners,
      ${LISTENING_MEASURES}
    from placed
    group by day_of_week, hour_of_day`);
  const byCell = new Map(rows.map((r) => [`${num(r.day_of_week)}:${num(r.hour_of_day)}`, r]));
  const cells: HeatmapCell[] = [];
  for (let day = 1; day <= 7; day++)
    for (let hour = 0; hour < 24; hour++) {
      const r = byCell.get(`${day}:${hour}`);
      cells.push({
        dayOfWeek: day,
        hour,
        listeners: num(r?.listeners),
        plays: num(r?.plays),
        minutes: minutes(num(r?.ms_played)),
      });
    }
  return { range, filters, cells };
}
