import type { DayFigures, Kpi, Overview } from '../contract.js';
import { sql } from '../sql/sql.js';
import {
  andFilters,
  type DateRange,
  datesIn,
  dateText,
  type Filters,
  inRange,
  minutes,
  num,
  previousRange,
  type Reader,
  skipRate,
  text,
} from './common.js';

function emptyDay(date: string): DayFigures {
  return {
    date,
    activeListeners: 0,
    plays: 0,
    skips: 0,
    completes: 0,
    msPlayed: 0,
    minutes: 0,
    skipRate: null,
  };
}

function totals(days: DayFigures[]) {
  const sum = (pick: (d: DayFigures) => number) => days.reduce((n, d) => n + pick(d), 0);
  const skips = sum((d) => d.skips);
  const completes = sum((d) => d.completes);
  return {
    dailyActiveListeners: days.length ? sum((d) => d.activeListeners) / days.length : null,
    plays: sum((d) => d.plays),
    minutes: minutes(sum((d) => d.msPlayed)),
    skipRate: skipRate(skips, completes),
  };
}

function kpi(value: number | null, previous: number | null): Kpi {
  const change = value === null || previous === null || previous === 0 ? null : (value - previous) / previous;
  return { value, previous, change };
}

/**
 * KPIs for the range with their trend against the previous period of the same length, and the daily series
 * behind them, from listener_daily_activity (exact distinct listeners under any country/device filter).
 */
export async function getOverview(reader: Reader, range: DateRange, filters: Filters): Promise<Overview> {
  const previous = previousRange(range);
  const rows = await reader.query(sql`
    select
      ${dateText(sql`event_date`)} as event_date,
      cast(count(distinct user_id) as double precision) as active_listeners,
      cast(sum(plays) as double precision) as plays,
      cast(sum(skips) as double precision) as skips,
      cast(sum(completes) as double precision) as completes,
      cast(sum(ms_played) as double precision) as ms_played
    from gold.listener_daily_activity
    where ${inRange({ from: previous.from, to: range.to })}${andFilters(filters)}
    group by event_date`);
  const byDate = new Map(
    rows.map((r) => {
      const skips = num(r.skips);
      const completes = num(r.completes);
      const day: DayFigures = {
        date: text(r.event_date),
        activeListeners: num(r.active_listeners),
        plays: num(r.plays),
        skips,
        completes,
        msPlayed: num(r.ms_played),
        minutes: minutes(num(r.ms_played)),
        skipRate: skipRate(skips, completes),
      };
      return [day.date, day] as const;
    }),
  );
  const series = (r: DateRange) => datesIn(r).map((date) => byDate.get(date) ?? emptyDay(date));
  const current = totals(series(range));
  const before = totals(series(previous));
  const hadBefore = series(previous).some((d) => d.activeListeners > 0);
  const prior = <T extends number | null>(value: T) => (hadBefore ? value : null);
  return {
    range,
    previousRange: previous,
    filters,
    kpis: {
      dailyActiveListeners: kpi(current.dailyActiveListeners, prior(before.dailyActiveListeners)),
      plays: kpi(current.plays, prior(before.plays)),
      minutes: kpi(current.minutes, prior(before.minutes)),
      skipRate: kpi(current.skipRate, prior(before.skipRate)),
    },
    daily: series(range),
  };
}
