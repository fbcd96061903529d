import { describe, expect, it } from 'vitest';
import { summarizeRunResults } from './dbt.js';

describe('summarizeRunResults', () => {
  it('counts statuses and lists failing nodes with their messages', () => {
    const summary = summarizeRunResults({
      results: [
        { unique_id: 'model.p.a', status: 'success', message: 'OK' },
        { unique_id: 'test.p.unique_a_id', status: 'pass', message: null },
        { unique_id: 'test.p.not_null_a_id', status: 'fail', message: 'Got 1 result' },
        { unique_id: 'model.p.b', status: 'error', message: 'syntax error' },
        { unique_id: 'model.p.c', status: 'skipped', message: null },
      ],
    });
    expect(summary.statuses).toEqual({ success: 1, pass: 1, fail: 1, error: 1, skipped: 1 });
    expect(summary.failures).toEqual([
      { node: 'test.p.not_null_a_id', status: 'fail', message: 'Got 1 result' },
      { node: 'model.p.b', status: 'error', message: 'syntax error' },
    ]);
  });
});
