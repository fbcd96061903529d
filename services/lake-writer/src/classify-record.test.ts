import { MAX_REASON_CHARS } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { intakeAt, sampleEvent } from '../test/sample-event.js';
import { classifyRecord } from './classify-record.js';

const origin = { topic: 'listening-events', partition: 1, offset: '42' };
const at = intakeAt('2026-02-01T00:00:00.000Z');
const classify = (text: string | Buffer) => classifyRecord(Buffer.from(text), origin, at);

describe('classifyRecord: the per-record boundary', () => {
  it('turns a valid event into a lake row with its exact size in bytes', () => {
    const event = JSON.stringify(
      sampleEvent({ track_name: 'Björk – Jóga 🎵', event_ts: '2026-01-31T22:15:00.000Z' }),
    );
    const outcome = classify(event);
    expect(outcome).toMatchObject({ ok: true, date: '2026-01-31', hour: '22' });
    if (outcome.ok === true) expect(outcome.bytes).toBe(Buffer.byteLength(outcome.line));
  });

  it('dead-letters a record whose rejection reason cannot be built by plain JSON.stringify', () => {
    // 8,000 nested arrays: describing this schema_version naively overflows the stack.
    const outcome = classify(`{"schema_version":${'['.repeat(8000)}${']'.repeat(8000)}}`);
    expect(outcome).toMatchObject({ ok: false, kind: 'contract' });
    expect(!outcome.ok && outcome.reason).toMatch(/unknown schema_version \[array of 1\]/);
  });

  it('bounds and cleans every reason, whatever the record held', () => {
    const huge = classify(JSON.stringify({ ...sampleEvent(), schema_version: 'x'.repeat(15_000) }));
    const longKey = classify(JSON.stringify({ ...sampleEvent(), [`k\u0000\u001b${'y'.repeat(14_000)}`]: 1 }));
    for (const outcome of [huge, longKey]) {
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect(outcome.reason).not.toMatch(/\p{Cc}/u);
    }
  });

  it('dead-letters an event hour that cannot name a lake partition instead of failing the flush', () => {
    const outcome = classify(JSON.stringify(sampleEvent({ event_ts: '2026-01-01T24:00:00.000Z' })));
    expect(outcome).toMatchObject({ ok: false, kind: 'contract' });
  });

  it('turns anything thrown while handling a record into a dead letter of kind internal', () => {
    const hostile = Buffer.from('{}');
    Object.defineProperty(hostile, 'toString', {
      value: () => {
        throw new Error('decoder exploded');
      },
    });
    expect(classifyRecord(hostile, origin, at)).toEqual({
      ok: false,
      kind: 'internal',
      reason: 'could not handle the record: decoder exploded',
    });
  });

  it('dead-letters events dated outside the plausible window of their ingestion time', () => {
    const ingested = intakeAt('2026-06-01T12:00:00.000Z');
    const dated = (ts: string) =>
      classifyRecord(Buffer.from(JSON.stringify(sampleEvent({ event_ts: ts }))), origin, ingested);
    expect(dated('2026-06-02T11:59:59.999Z')).toMatchObject({ ok: true });
    expect(dated('1899-06-01T12:00:00.000Z')).toMatchObject({ ok: false, kind: 'contract' });
    expect(dated('2026-06-02T12:00:00.001Z')).toMatchObject({ ok: false, kind: 'contract' });
    const strict = { ...ingested, window: { earliest: '2026-06-01T00:00:00.000Z', maxAheadMs: 0 } };
    expect(
      classifyRecord(
        Buffer.from(JSON.stringify(sampleEvent({ event_ts: '2026-05-31T23:00:00.000Z' }))),
        origin,
        strict,
      ),
    ).toMatchObject({ ok: false, kind: 'contract' });
  });
});
