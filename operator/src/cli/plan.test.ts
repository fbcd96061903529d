import { describe, expect, it } from 'vitest';
import { runPlan } from './plan.js';

describe('plan CLI', () => {
  it('explains the numbers for 5 million listeners', () => {
    const out = runPlan(['--users', '5000000']);
    expect(out).toContain('partitions: 11');
    expect(out).toContain('peak events/s: 13889');
    expect(out).toMatch(/average rate: 5,000,000 users x 80 events\/day/);
  });
  it('prints JSON and keeps the current partition count', () => {
    const plan = JSON.parse(runPlan(['--users', '1000', '--current-partitions', '24', '--json']));
    expect(plan.partitions).toBe(24);
    expect(plan.lakeWriters.max).toBe(24);
  });
  it('rejects a missing or bad --users with a readable message', () => {
    expect(() => runPlan([])).toThrow('--users is required');
    expect(() => runPlan(['--users', 'many'])).toThrow('--users must be a positive number');
  });
});
