import { LISTENING_EVENT_FIELDS } from '@spotify-pipeline/shared';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { intakeAt, sampleEvent } from '../test/sample-event.js';
import { encodeParquet, PARQUET_COLUMNS } from './encode-parquet.js';
import { toLakeLine } from './lake-line.js';

describe('encodeParquet', () => {
  it('writes rows that read back as the events plus metadata, optional fields as nulls', async () => {
    const events = [
      sampleEvent({ event_ts: '2026-01-31T22:15:00.123Z' }),
      sampleEvent({
        event_type: 'like',
        event_ts: '2026-01-31T22:15:01.000Z',
        album_id: null,
        album_name: null,
        context_type: null,
        context_id: null,
      }),
    ];
    const { ms_played: _unused, shuffle: _s, offline: _o, ...withoutOptional } = events[1] ?? sampleEvent();
    events[1] = withoutOptional as (typeof events)[number];
    const lines = events.map((event, i) => {
      const row = toLakeLine(
        Buffer.from(JSON.stringify(event)),
        { topic: 'listening-events', partition: 3, offset: String(100 + i) },
        intakeAt('2026-02-01T00:00:00.000Z'),
      );
      if (!row.ok) throw new Error(row.reason);
      return row.line;
    });
    const body = encodeParquet({
      date: '2026-01-31',
      hour: '22',
      lines,
      offsets: ['100', '101'],
      bytes: 0,
      firstOffset: '100',
      lastOffset: '101',
    });
    expect(body.subarray(0, 4).toString()).toBe('PAR1');
    const file = new Uint8Array(body).buffer;
    const rows = await parquetReadObjects({ file });
    expect(rows).toHaveLength(2);
    expect(rows[0]?.event_id).toBe(events[0]?.event_id);
    expect(rows[0]?.event_ts).toEqual(new Date('2026-01-31T22:15:00.123Z'));
    expect(rows[0]?.ms_played).toBe(BigInt(events[0]?.ms_played ?? -1));
    expect(rows[0]?._offset).toBe(100n);
    expect(rows[0]?._partition).toBe(3);
    expect(rows[1]?.album_id).toBeNull();
    expect(rows[1]?.ms_played).toBeNull();
    expect(rows[1]?.shuffle).toBeNull();
    expect(rows[1]?.event_type).toBe('like');
  });

  it("has one column per contract field, then the writer's metadata", () => {
    expect(PARQUET_COLUMNS.map(([name]) => name)).toEqual([
      ...LISTENING_EVENT_FIELDS,
      '_topic',
      '_partition',
      '_offset',
      '_ingested_at',
    ]);
  });
});
