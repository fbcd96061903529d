/**
 * Relative listening intensity per local hour. Weekdays peak on the morning commute and in the early
 * evening; weekends start later and stay high through the afternoon (the shape published listening
 * studies show). Values are relative; only their ratios matter.
 */
const WEEKDAY = [
  0.6, 0.35, 0.2, 0.15, 0.15, 0.3, 0.9, 2.0, 2.6, 2.2, 2.0, 2.0, 2.2, 2.1, 2.0, 2.1, 2.4, 2.8, 2.7, 2.5, 2.3,
  2.0, 1.5, 1.0,
];
const WEEKEND = [
  1.0, 0.7, 0.4, 0.25, 0.2, 0.2, 0.3, 0.6, 1.1, 1.6, 2.0, 2.3, 2.4, 2.4, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.2,
  2.0, 1.7, 1.3,
];

export const MAX_HOUR_WEIGHT = Math.max(...WEEKDAY, ...WEEKEND);
/** The rhythm's average over a whole week, which every listener sees whatever their time zone. */
export const MEAN_WEEK_WEIGHT = (5 * sum(WEEKDAY) + 2 * sum(WEEKEND)) / (7 * 24);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Local hour 0-23 and whether the local day is Saturday or Sunday, for a UTC instant and an offset. */
export function localClock(utcMs: number, offsetMinutes: number): { hour: number; weekend: boolean } {
  const local = utcMs + offsetMinutes * 60_000;
  const day = Math.floor(local / DAY_MS);
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return { hour: Math.floor((local - day * DAY_MS) / HOUR_MS), weekend: weekday === 0 || weekday === 6 };
}

/** The intensity at a UTC instant for a listener in the given UTC offset. */
export function hourWeight(utcMs: number, offsetMinutes: number): number {
  const local = utcMs + offsetMinutes * 60_000;
  const day = Math.floor(local / DAY_MS);
  const weekday = (day + 4) % 7;
  const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
  return (weekday === 0 || weekday === 6 ? WEEKEND : WEEKDAY)[hour]!;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
