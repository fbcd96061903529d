import { MAX_EVENT_BYTES } from '@spotify-pipeline/shared';
import type { RecordSlice } from '../src/record-slice.js';
import { intakeAt, sampleEvent } from './sample-event.js';

/**
 * A slice with every kind of record the boundary tells apart: events in several hours (one with text that
 * needs escapes and astral characters), broken JSON, a contract breach, an oversize record, a tombstone and
 * invalid UTF-8. `copies` repeats the pattern.
 */
export function mixedSlice(copies = 1, firstOffset = 0): RecordSlice {
  const pattern: Array<Buffer | null> = [
    Buffer.from(JSON.stringify(sampleEvent({ event_ts: '2026-01-31T22:15:00.000Z' }))),
    Buffer.from(
      JSON.stringify(
        sampleEvent({ track_name: 'Björk – "Jóga" 🎵\\', event_ts: '2026-01-31T23:00:00.000Z' }),
      ),
    ),
    Buffer.from('{"not json'),
    Buffer.from(JSON.stringify({ ...sampleEvent(), ms_played: -5 })),
    Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20),
    null,
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    Buffer.from(`  ${JSON.stringify(sampleEvent({ event_ts: '2026-02-01T00:00:00.000Z' }))}\r\n`),
  ];
  const values = Array.from({ length: copies }, () => pattern).flat();
  return {
    topic: 'listening-events',
    partition: 3,
    offsets: values.map((_, i) => String(firstOffset + i)),
    values,
    intake: intakeAt('2026-02-01T00:30:00.000Z'),
  };
}
