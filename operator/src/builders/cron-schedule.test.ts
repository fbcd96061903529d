import { describe, expect, it } from 'vitest';
import { CRON_PATTERN } from '../crd/spotify-pipeline.js';
import { cronProblem } from './cron-schedule.js';

describe('cronProblem', () => {
  it.each([
    '*/15 * * * *',
    '5 * * * *',
    '0 3 * * MON-FRI',
    '@hourly',
    '0 0 29 2 *',
    '0 0 ? * *',
    '*/90 * * * *',
    '0 0 30 2 MON',
  ])('accepts %s', (schedule) => {
    expect(cronProblem(schedule)).toBeNull();
  });

  it('reports what the admission pattern lets through but no orchestrator can run', () => {
    // both pass the CRD's per-field pattern
    expect(new RegExp(CRON_PATTERN).test('30-10 * * * *')).toBe(true);
    expect(new RegExp(CRON_PATTERN).test('0 0 30 2 *')).toBe(true);
    expect(cronProblem('30-10 * * * *')?.kind).toBe('backwards');
    expect(cronProblem('0 0 * * SAT-SUN')?.message).toContain('the weekday range SAT-SUN runs backwards');
    expect(cronProblem('0 0 30 2 *')).toEqual({
      kind: 'never',
      message: '"0 0 30 2 *" never runs: no date matches it',
    });
    expect(cronProblem('0 0 31 4 *')?.kind).toBe('never');
    // croner alone overflows its stack on this one
    expect(cronProblem('0 0 31 2,4,6,9,11 *')?.kind).toBe('never');
  });
});
