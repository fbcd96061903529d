import { describe, expect, it } from 'vitest';
import { median } from './bench-stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, whatever the order given', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 2, 4, 8])).toBe(6);
    expect(median([5])).toBe(5);
  });

  it('sorts numerically, not as text, and leaves its input alone', () => {
    const values = [100, 9, 20];
    expect(median(values)).toBe(20);
    expect(values).toEqual([100, 9, 20]);
  });

  it('has no median of nothing', () => {
    expect(median([])).toBeNaN();
  });
});
