import { describe, expect, it } from 'vitest';
import { parseObjectKey, pendingObjects } from './lake-objects.js';

const key = (topic: string, date: string, hour: string, p: number, first: number, last: number) =>
  `bronze/${topic}/date=${date}/hour=${hour}/${topic}+${p}+${first}-${last}.jsonl.gz`;

describe('parseObjectKey', () => {
  it('reads topic, partition and offsets from a contract-named object', () => {
    expect(parseObjectKey(key('listening-events', '2026-01-31', '23', 7, 100, 199))).toEqual({
      topic: 'listening-events',
      date: '2026-01-31',
      hour: 23,
      partition: 7,
      firstOffset: 100,
      lastOffset: 199,
    });
  });

  it('refuses names outside the contract', () => {
    expect(parseObjectKey('bronze/listening-events/date=2026-01-31/hour=23/x.jsonl.gz')).toBeUndefined();
    expect(
      parseObjectKey(key('listening-events', '2026-01-31', '23', 0, 1, 2).replace('.gz', '')),
    ).toBeUndefined();
    // a file whose name disagrees with its folder's topic
    expect(
      parseObjectKey('bronze/listening-events/date=2026-01-31/hour=23/catalog.artists+0+1-2.jsonl.gz'),
    ).toBeUndefined();
  });
});

describe('pendingObjects', () => {
  it('keeps unloaded contract objects in key order and reports the rest as ignored', () => {
    const a = key('listening-events', '2026-01-02', '00', 0, 0, 9);
    const b = key('listening-events', '2026-01-01', '05', 1, 0, 9);
    const c = key('catalog.artists', '2026-01-01', '00', 0, 0, 3);
    const { pending, ignored } = pendingObjects(
      [
        { name: a, size: 10 },
        { name: b, size: 20 },
        { name: c, size: 30 },
        { name: 'bronze/listening-events/_tmp/upload', size: 1 },
      ],
      new Set([c]),
    );
    expect(pending).toEqual([
      { key: b, topic: 'listening-events', sizeBytes: 20 },
      { key: a, topic: 'listening-events', sizeBytes: 10 },
    ]);
    expect(ignored).toEqual(['bronze/listening-events/_tmp/upload']);
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
