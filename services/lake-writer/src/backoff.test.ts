import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    expect(backoffDelay(0, 10_000, () => 1)).toBe(200);
    expect(backoffDelay(3, 10_000, () => 1)).toBe(1600);
    expect(backoffDelay(60, 10_000, () => 1)).toBe(10_000);
  });
  it('never spins', () => {
    expect(backoffDelay(5, 10_000, () => 0)).toBe(50);
  });
});
