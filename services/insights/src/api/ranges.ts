import { MAX_RANGE_DAYS } from '../contract.js';
import { addDays, type DateRange, daysIn } from '../queries/common.js';
import { BadRequestError } from './errors.js';

/** Days a range covers when the request names no start: a week, ending on the newest day in gold. */
const DEFAULT_RANGE_DAYS = 7;

function checked(range: DateRange): DateRange {
  if (range.from > range.to)
    throw new BadRequestError(`from (${range.from}) must not be after to (${range.to})`);
  if (daysIn(range) > MAX_RANGE_DAYS)
    throw new BadRequestError(`the range ${range.from}..${range.to} is longer than ${MAX_RANGE_DAYS} days`);
  return range;
}

/**
 * The range a chart request means: `to` defaults to the newest day in gold (today when gold is empty), `from`
 * to a week before `to`; a lone `from` later than the newest day makes a one-day range.
 */
export function chartRange(
  query: { from?: string | undefined; to?: string | undefined },
  newestDay: string | null,
  today: string,
): DateRange {
  const latest = newestDay ?? today;
  const to = query.to ?? (query.from && query.from > latest ? query.from : latest);
  const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  return checked({ from, to });
}

/**
 * The range a Wrapped request means: a calendar year, or from/to; with neither, the year of the listener's
 * last event. A lone `to` starts on January 1 of its year, a lone `from` ends on the listener's last day.
 */
export function wrappedRange(
  query: { year?: number | undefined; from?: string | undefined; to?: string | undefined },
  lastListeningDay: string,
): DateRange {
  if (query.year !== undefined) return { from: `${query.year}-01-01`, to: `${query.year}-12-31` };
  if (!query.from && !query.to) {
    const year = lastListeningDay.slice(0, 4);
    return { from: `${year}-01-01`, to: `${year}-12-31` };
  }
  const to = query.to ?? (query.from && query.from > lastListeningDay ? query.from : lastListeningDay);
  const from = query.from ?? `${to.slice(0, 4)}-01-01`;
  return checked({ from, to });
}
