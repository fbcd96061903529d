import { describe, expect, it } from 'vitest';
import { createMemoryBudget, fetchSizesFor, memoryBudgetFor } from './memory-budget.js';

const MiB = 1024 * 1024;

describe('memoryBudgetFor', () => {
  const heapLimit = 153 * MiB;

  it('takes LAKE_WRITER_MEMORY_BUDGET_BYTES as it is', () => {
    expect(memoryBudgetFor({ configured: 32 * MiB, containerLimit: 256 * MiB, heapLimit })).toEqual({
      bytes: 32 * MiB,
      from: 'LAKE_WRITER_MEMORY_BUDGET_BYTES',
    });
  });

  it('is a fifth of a container limit', () => {
    const sized = memoryBudgetFor({ containerLimit: 256 * MiB, heapLimit });
    expect(sized.bytes).toBe(Math.floor(256 * MiB * 0.2));
    expect(sized.from).toBe('20% of the 256 MiB memory limit');
  });

  it('follows the V8 heap outside a container (cgroup v1 reports no limit as about 2^63)', () => {
    for (const containerLimit of [undefined, 0, 2 ** 63]) {
      const sized = memoryBudgetFor({ containerLimit, heapLimit: 4096 * MiB });
      expect(sized.bytes).toBe(Math.floor(4096 * MiB * 0.35));
      expect(sized.from).toBe('35% of the 4096 MiB V8 heap limit');
    }
  });

  it('follows the heap when it is the smaller bound (a heap capped below the container)', () => {
    const sized = memoryBudgetFor({ containerLimit: 4096 * MiB, heapLimit: 512 * MiB });
    expect(sized.bytes).toBe(Math.floor(512 * MiB * 0.35));
  });
});

describe('fetchSizesFor', () => {
  it('keeps a fetch to an eighth of the budget, between 1 and 32 MiB, and a quarter of it per partition', () => {
    expect(fetchSizesFor(51 * MiB)).toEqual({
      maxBytes: Math.floor((51 * MiB) / 8),
      maxBytesPerPartition: Math.floor((51 * MiB) / 32),
    });
    expect(fetchSizesFor(8 * MiB)).toEqual({ maxBytes: MiB, maxBytesPerPartition: MiB / 4 });
    expect(fetchSizesFor(4096 * MiB)).toEqual({ maxBytes: 32 * MiB, maxBytesPerPartition: 4 * MiB });
  });
});

describe('createMemoryBudget', () => {
  it('sums what every tracked writer holds, as it is now', () => {
    const budget = createMemoryBudget(100);
    let held = { buffered: 10, inFlight: 5 };
    budget.track(() => held);
    budget.track(() => ({ buffered: 1, inFlight: 2 }));
    expect(budget.held()).toEqual({ buffered: 11, inFlight: 7 });
    held = { buffered: 0, inFlight: 0 };
    expect(budget.held()).toEqual({ buffered: 1, inFlight: 2 });
  });
});
