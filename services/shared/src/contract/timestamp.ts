/**
 * Contract timestamps: ISO-8601 UTC with milliseconds and `Z` (`2026-01-31T23:59:59.123Z`), checked field by
 * field against the calendar. `Date.parse` is not enough: V8 reads `2026-02-30` as March 2 and `T24:00` as the
 * next day, which a warehouse then refuses or types differently.
 */

const ISO_UTC_MILLIS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

export const ISO_UTC_MILLIS_EXAMPLE = '2026-01-31T23:59:59.123Z';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A real calendar day `YYYY-MM-DD` in years 0001-9999 (PostgreSQL has no year 0). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Why `text` is not a contract timestamp, or null when it is one. */
export function timestampProblem(text: string): string | null {
  const m = ISO_UTC_MILLIS.exec(text);
  if (!m) return `must be ISO-8601 UTC with milliseconds, e.g. ${ISO_UTC_MILLIS_EXAMPLE}`;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  if (!isCalendarDate(year!, month!, day!)) return 'is not a calendar date';
  if (hour! > 23 || minute! > 59 || second! > 59) return 'is not a time of day (00:00:00.000-23:59:59.999)';
  return null;
}
