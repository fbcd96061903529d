import { MAX_EVENT_BYTES } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { intakeAt, sampleEvent } from '../test/sample-event.js';
import { toLakeLine } from './lake-line.js';

const origin = { topic: 'listening-events', partition: 2, offset: '9007199254740993' };
const at = intakeAt(new Date().toISOString());

describe('toLakeLine', () => {
  it('splices the metadata into the original text and partitions by event_ts', () => {
    const event = sampleEvent({ event_ts: '2026-01-31T22:15:00.000Z' });
    const result = toLakeLine(Buffer.from(JSON.stringify(event)), origin, at);
    if (!result.ok) throw new Error(result.reason);
    expect(result.date).toBe('2026-01-31');
    expect(result.hour).toBe('22');
    const { _offset, ...rest } = JSON.parse(result.line);
    expect(rest).toEqual({
      ...event,
      _topic: 'listening-events',
      _partition: 2,
      _ingested_at: at.ingestedAt,
    });
    expect(result.line).toContain('"_offset":9007199254740993');
  });

  it('keeps one row per record when the source pretty-printed it', () => {
    const pretty = `${JSON.stringify(sampleEvent(), null, 2)}\n`;
    const result = toLakeLine(Buffer.from(pretty), origin, at);
    if (!result.ok) throw new Error(result.reason);
    expect(result.line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(result.line)._partition).toBe(2);
  });

  it('says why a record is refused', () => {
    expect(toLakeLine(Buffer.from('{"nope'), origin, at)).toMatchObject({ ok: false, kind: 'json' });
    expect(toLakeLine(null, origin, at)).toMatchObject({ ok: false, kind: 'contract' });
    const uk = toLakeLine(Buffer.from(JSON.stringify(sampleEvent({ country: 'UK' as never }))), origin, at);
    expect(uk).toMatchObject({ ok: false, kind: 'contract' });
    expect(uk.ok === false && uk.reason).toMatch(/country/);
    const big = Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20);
    expect(toLakeLine(big, origin, at)).toMatchObject({ ok: false, kind: 'size' });
  });
});
