import { describe, expect, it } from 'vitest';
import { pendingObjects } from './lake-objects.js';

const key = (topic: string, date: string, hour: string, p: number, first: number, last: number) =>
  `bronze/${topic}/date=${date}/hour=${hour}/${topic}+${p}+${first}-${last}.jsonl.gz`;

describe('pendingObjects', () => {
  it('keeps unloaded contract objects of both formats in key order and reports the rest as ignored', () => {
    const a = key('listening-events', '2026-01-02', '00', 0, 0, 9);
    const b = key('listening-events', '2026-01-01', '05', 1, 0, 9);
    const c = key('catalog.artists', '2026-01-01', '00', 0, 0, 3);
    const parquet = a.replace('.jsonl.gz', '.parquet');
    const { pending, ignored } = pendingObjects(
      [
        { name: a, size: 10 },
        { name: b, size: 20 },
        { name: c, size: 30 },
        { name: parquet, size: 5 },
        { name: 'bronze/listening-events/_tmp/upload', size: 1 },
        { name: 'bronze/listening-events/date=2026-01-01/hour=00/catalog.artists+0+1-2.jsonl.gz', size: 1 },
      ],
      new Set([c]),
    );
    expect(pending).toEqual([
      { key: b, topic: 'listening-events', sizeBytes: 20, format: 'jsonl.gz' },
      { key: a, topic: 'listening-events', sizeBytes: 10, format: 'jsonl.gz' },
      { key: parquet, topic: 'listening-events', sizeBytes: 5, format: 'parquet' },
    ]);
    expect(ignored).toEqual([
      'bronze/listening-events/_tmp/upload',
      'bronze/listening-events/date=2026-01-01/hour=00/catalog.artists+0+1-2.jsonl.gz',
    ]);
  });

  it("restores a '+' that the listing turned into a space", () => {
    const name = key('listening-events', '2026-01-02', '00', 0, 0, 9);
    const { pending } = pendingObjects([{ name: name.replaceAll('+', ' '), size: 1 }], new Set([]));
    expect(pending.map((o) => o.key)).toEqual([name]);
    expect(pendingObjects([{ name: name.replaceAll('+', ' '), size: 1 }], new Set([name])).pending).toEqual(
      [],
    );
  });
});
