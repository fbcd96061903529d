import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.js';
import { chartRange, wrappedRange } from './ranges.js';

describe('chartRange', () => {
  it('defaults to the week that ends on the newest day in gold', () => {
    expect(chartRange({}, '2026-02-01', '2026-11-26')).toEqual({ from: '2026-01-26', to: '2026-02-01' });
  });

  it('uses today while gold is empty, and a lone late from as a single day', () => {
    expect(chartRange({}, null, '2026-11-26')).toEqual({ from: '2026-11-20', to: '2026-11-26' });
    expect(chartRange({ from: '2026-03-01' }, '2026-02-01', '2026-11-26')).toEqual({
      from: '2026-03-01',
      to: '2026-03-01',
    });
  });

  it('rejects a reversed or too long range once the defaults are filled in', () => {
    expect(() => chartRange({ to: '2026-01-01' }, null, '2026-11-26')).not.toThrow();
    expect(() => chartRange({ from: '2026-02-02', to: '2026-02-01' }, null, '2026-11-26')).toThrow(
      BadRequestError,
    );
    expect(() => chartRange({ from: '2000-01-01' }, '2026-02-01', '2026-11-26')).toThrow(
      /longer than 3660 days/,
    );
  });
});

describe('wrappedRange', () => {
  it('is the calendar year asked for, or the year of the last listening', () => {
    expect(wrappedRange({ year: 2025 }, '2026-02-01')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(wrappedRange({}, '2026-02-01')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
  });

  it('fills a lone to from January 1 and a lone from up to the last listening day', () => {
    expect(wrappedRange({ to: '2026-03-15' }, '2026-02-01')).toEqual({
      from: '2026-01-01',
      to: '2026-03-15',
    });
    expect(wrappedRange({ from: '2026-01-15' }, '2026-02-01')).toEqual({
      from: '2026-01-15',
      to: '2026-02-01',
    });
  });
});
