import { describe, expect, it } from 'vitest';
import { addDeadLetter, addLine, createPartitionBuffer, isDue, isFull } from './partition-buffer.js';

const limits = { maxEvents: 3, maxBytes: 1000, maxAgeMs: 500 };

describe('partition buffer', () => {
  it('groups rows by event hour and tracks the offset range of each group', () => {
    const buffer = createPartitionBuffer();
    addLine(buffer, { offset: '10', line: '{"a":1}', date: '2026-01-01', hour: '23', bytes: 7 }, 100);
    addLine(buffer, { offset: '11', line: '{"a":2}', date: '2026-01-02', hour: '00', bytes: 7 }, 110);
    addDeadLetter(
      buffer,
      { offset: '12', key: null, value: Buffer.from('x'), reason: 'bad', kind: 'json' },
      120,
    );
    addLine(buffer, { offset: '13', line: '{"a":3}', date: '2026-01-01', hour: '23', bytes: 7 }, 130);
    expect(
      [...buffer.groups.values()].map((g) => [g.date, g.hour, g.firstOffset, g.lastOffset, g.lines.length]),
    ).toEqual([
      ['2026-01-01', '23', '10', '13', 2],
      ['2026-01-02', '00', '11', '11', 1],
    ]);
    expect(buffer.lastOffset).toBe('13');
    expect(buffer.records).toBe(4);
    expect(buffer.openedAt).toBe(100);
  });

  it('is due on count, bytes or age, never while empty', () => {
    const buffer = createPartitionBuffer();
    expect(isDue(buffer, limits, 10_000)).toBe(false);
    addLine(buffer, { offset: '1', line: 'x'.repeat(10), date: '2026-01-01', hour: '00', bytes: 10 }, 0);
    expect(isDue(buffer, limits, 499)).toBe(false);
    expect(isDue(buffer, limits, 500)).toBe(true);
    expect(isFull(buffer, { ...limits, maxBytes: 11 })).toBe(true);
    addLine(buffer, { offset: '2', line: 'x', date: '2026-01-01', hour: '00', bytes: 1 }, 1);
    addLine(buffer, { offset: '3', line: 'x', date: '2026-01-01', hour: '00', bytes: 1 }, 2);
    expect(isDue(buffer, limits, 3)).toBe(true);
  });
});
