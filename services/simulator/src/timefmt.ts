const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `Date#toISOString` for event timestamps, about ten times cheaper: the date part is computed once per
 * UTC day and the time of day from integer arithmetic. Valid for instants after 1970.
 */
export class IsoFormatter {
  private dayStart = Number.NaN;
  private prefix = '';

  format(ms: number): string {
    let rem = ms - this.dayStart;
    if (!(rem >= 0 && rem < DAY_MS)) {
      this.dayStart = ms - (ms % DAY_MS);
      this.prefix = new Date(this.dayStart).toISOString().slice(0, 11);
      rem = ms - this.dayStart;
    }
    const h = Math.floor(rem / 3_600_000);
    rem -= h * 3_600_000;
    const m = Math.floor(rem / 60_000);
    rem -= m * 60_000;
    const s = Math.floor(rem / 1000);
    return `${this.prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rem - s * 1000]}Z`;
  }
}

/** The UTC date (YYYY-MM-DD) of an instant. */
export const utcDate = (ms: number): string => new Date(ms - (ms % DAY_MS)).toISOString().slice(0, 10);
