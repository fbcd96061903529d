import { Cron } from 'croner';

export interface CronProblem {
  /** `backwards`: Kubernetes refuses it; `never`: accepted everywhere, runs nowhere; `unparsable`: the parser's verdict. */
  kind: 'backwards' | 'never' | 'unparsable';
  message: string;
}

const FIELDS = [
  { name: 'minute', size: 60 },
  { name: 'hour', size: 24 },
  { name: 'day', size: 31 },
  { name: 'month', size: 12 },
  { name: 'weekday', size: 7 },
] as const;
const NAMES: Record<string, number> = Object.fromEntries([
  ...['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].map((m, i) => [
    m,
    i + 1,
  ]),
  ...['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'].map((d, i) => [d, i]),
]);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const fieldValue = (token: string) => NAMES[token.toUpperCase()] ?? Number(token);
const unrestricted = (field: string) => field === '*' || field === '?';

/** The values one field's items (`a`, `a-b`, `*`, each with an optional `/step`) select, within [first, last]. */
function expand(field: string, first: number, last: number): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = Math.max(1, Number(stepText ?? 1)); // admission refuses /0; never loop on it
    const [a = first, b] = unrestricted(range) ? [first, last] : range.split('-').map(fieldValue);
    const to = b ?? (unrestricted(range) || stepText ? last : a);
    for (let v = a; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * What a schedule the resource's pattern let through cannot do, as Kubernetes (robfig/cron) and Airflow
 * (croniter) see it: a range that runs backwards (Kubernetes refuses the CronJob; croniter would wrap it),
 * a date that never comes such as 30 February (both accept it, neither ever runs it), or what croner, the
 * parser that computes its next run, refuses. Null when it runs. A step longer than its field (`*\/90`)
 * selects only the start, as in both schedulers.
 */
export function cronProblem(schedule: string, now = new Date()): CronProblem | null {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length === 5) {
    for (const [i, field] of fields.entries()) {
      for (const item of field.split(',')) {
        const [from, to] = (item.split('/')[0] ?? '').split('-').map(fieldValue);
        if (from !== undefined && to !== undefined && from > to)
          return {
            kind: 'backwards',
            message: `"${schedule}": the ${FIELDS[i]?.name} range ${item.split('/')[0]} runs backwards (Kubernetes refuses it, Airflow would wrap it around); write it as two ranges`,
          };
      }
    }
    const [, , day = '*', month = '*', weekday = '*'] = fields;
    // A restricted weekday ORs with the day of month: only a day-of-month list alone can miss every month.
    if (!unrestricted(day) && unrestricted(weekday)) {
      const days = [...expand(day, 1, 31)];
      const runs = [...expand(month, 1, 12)].some((m) => days.some((d) => d <= (DAYS_IN_MONTH[m - 1] ?? 0)));
      if (!runs) return { kind: 'never', message: `"${schedule}" never runs: no date matches it` };
    }
  }
  const clamped =
    fields.length === 5
      ? fields
          .map((f, i) =>
            f.replace(/\/(\d+)/g, (_, step) => `/${Math.min(Number(step), FIELDS[i]?.size ?? 1)}`),
          )
          .join(' ')
      : schedule;
  try {
    const next = new Cron(clamped, { paused: true, timezone: 'Etc/UTC' }).nextRun(now);
    return next ? null : { kind: 'never', message: `"${schedule}" never runs: no date matches it` };
  } catch (err) {
    return {
      kind: 'unparsable',
      message: `"${schedule}" is not a schedule a cron parser accepts: ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    };
  }
}
