import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_EVENT_BYTES, MAX_MS } from './listening-event.js';
import { decodeListeningEvent, formatIssues, validateListeningEvent } from './validate.js';

const valid = {
  schema_version: 1,
  event_id: '2f1c7c3e-8b1a-4c55-9a51-2b0f8e6f9d10',
  event_type: 'skip',
  event_ts: '2026-11-26T07:15:00.123Z',
  user_id: 'u-1',
  session_id: 's-1',
  track_id: 't-1',
  track_name: 'Song',
  artist_id: 'a-1',
  artist_name: 'Artist',
  album_id: null,
  album_name: null,
  duration_ms: 200_000,
  position_ms: 31_000,
  ms_played: 31_000,
  device_type: 'mobile',
  country: 'GB',
  context_type: 'playlist',
  context_id: 'p-1',
  source: 'simulator',
};

describe('listening-event contract', () => {
  it('accepts a valid event', () => {
    expect(validateListeningEvent(valid)).toEqual({ ok: true, value: valid });
  });

  it('names an unknown schema version before anything else', () => {
    expect(validateListeningEvent({ ...valid, schema_version: 2, country: 'nope' })).toEqual({
      ok: false,
      reason: 'unknown schema_version 2: this build reads version 1',
    });
  });

  it.each([
    [{ country: 'UK' }, 'country: UK is not ISO-3166-1: use GB'],
    [{ event_ts: '2026-11-26 07:15:00' }, 'event_ts: must be ISO-8601 UTC with milliseconds'],
    [{ ms_played: undefined }, 'ms_played: is required on skip'],
    [{ extra: 1 }, 'Unrecognized key: "extra"'],
  ])('rejects %o with a readable reason', (change, reason) => {
    const result = validateListeningEvent({ ...valid, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('rejects bytes that are not JSON, and oversize records, with the reason', () => {
    expect(decodeListeningEvent('{"schema_version":1,')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
    });
    const big = JSON.stringify({ ...valid, track_name: 'x'.repeat(MAX_EVENT_BYTES) });
    expect(decodeListeningEvent(big)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the limit is'),
    });
    expect(decodeListeningEvent(Buffer.from(JSON.stringify(valid)))).toMatchObject({ ok: true });
  });

  it('says a missing setting is required instead of "received undefined"', () => {
    const result = z.object({ LAKE_BUCKET: z.string() }).safeParse({});
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!)).toBe('LAKE_BUCKET: is required (string)');
  });

  describe('at least as strict as every warehouse', () => {
    const reasonOf = (change: Record<string, unknown>, options = {}) => {
      const result = validateListeningEvent({ ...valid, ...change }, options);
      return result.ok ? 'accepted' : result.reason;
    };

    it.each([
      ['2026-02-30T10:00:00.000Z', 'event_ts: is not a calendar date'],
      ['2026-02-29T10:00:00.000Z', 'event_ts: is not a calendar date'],
      ['2026-04-31T10:00:00.000Z', 'event_ts: is not a calendar date'],
      ['0000-01-01T10:00:00.000Z', 'event_ts: is not a calendar date'],
      ['2026-01-01T24:00:00.000Z', 'event_ts: is not a time of day'],
      ['2026-01-01T23:60:00.000Z', 'event_ts: is not a time of day'],
      ['2026-01-01T23:59:60.000Z', 'event_ts: is not a time of day'],
      ['2026-01-01T23:59:59.99Z', 'event_ts: must be ISO-8601 UTC with milliseconds'],
    ])('rejects the timestamp %s', (ts, reason) => {
      expect(reasonOf({ event_ts: ts })).toContain(reason);
    });

    it('accepts a leap day and events inside the plausible window, late or early', () => {
      const now = Date.parse('2026-11-26T12:00:00.000Z');
      expect(reasonOf({ event_ts: '2024-02-29T23:59:59.999Z' }, { now })).toBe('accepted');
      expect(reasonOf({ event_ts: '2008-01-01T00:00:00.000Z' }, { now })).toBe('accepted');
      expect(reasonOf({ event_ts: '2026-11-27T11:59:59.999Z' }, { now })).toBe('accepted');
    });

    it('rejects events dated outside the window, which is configurable', () => {
      const now = Date.parse('2026-11-26T12:00:00.000Z');
      expect(reasonOf({ event_ts: '1926-11-26T12:00:00.000Z' }, { now })).toBe(
        'event_ts: 1926-11-26T12:00:00.000Z is outside the plausible window 2008-01-01T00:00:00.000Z .. 2026-11-27T12:00:00.000Z',
      );
      expect(reasonOf({ event_ts: '2126-11-26T12:00:00.000Z' }, { now })).toMatch(
        /outside the plausible window/,
      );
      const window = { earliest: '2026-01-01T00:00:00.000Z', maxAheadMs: 0 };
      expect(reasonOf({ event_ts: '2025-12-31T23:59:59.999Z' }, { now, window })).toMatch(/outside/);
      expect(reasonOf({ event_ts: '2026-11-26T12:00:00.001Z' }, { now, window })).toMatch(/outside/);
    });

    it.each(['ZZ', 'XA', 'QM', 'AA', 'EU', 'gb', 'GBR'])('rejects the country code %s', (country) => {
      expect(reasonOf({ country })).toBe(
        'country: must be an assigned ISO-3166-1 alpha-2 code such as GB, or null when unknown',
      );
    });

    it('accepts an unknown country as null', () => {
      expect(reasonOf({ country: null })).toBe('accepted');
    });

    it('rejects a position past the end of the track and durations that are a unit error', () => {
      expect(reasonOf({ position_ms: 200_001 })).toBe(
        'position_ms: 200001 is past the end of the track (duration_ms 200000)',
      );
      expect(reasonOf({ duration_ms: MAX_MS + 1, position_ms: 0 })).toMatch(/duration_ms: Too big/);
    });

    it.each([
      ['a NUL', { track_name: 'a\u0000b' }, 'track_name: must not hold a NUL character'],
      ['a lone high surrogate', { artist_name: 'x\ud800' }, 'artist_name: must not hold a lone surrogate'],
      ['a lone low surrogate', { user_id: '\udc00' }, 'user_id: must not hold a lone surrogate'],
    ])('rejects text holding %s', (_what, change, reason) => {
      expect(reasonOf(change)).toBe(reason);
    });
  });

  describe('decodeListeningEvent reads the text the way every warehouse must', () => {
    const text = JSON.stringify(valid);
    it.each([
      [
        'a repeated key',
        text.replace('"country":"GB"', '"country":"UK","country":"GB"'),
        'country: key "country" appears more than once',
      ],
      [
        'a repeated key spelled with an escape',
        text.replace('"user_id":"u-1"', '"user_id":"u-1","user\\u005fid":"u-2"'),
        'appears more than once',
      ],
      [
        'an exponent',
        text.replace('"duration_ms":200000', '"duration_ms":2e5'),
        'duration_ms: 2e5 is not written as a non-negative integer',
      ],
      [
        'a fraction',
        text.replace('"duration_ms":200000', '"duration_ms":200000.0'),
        'duration_ms: 200000.0 is not written',
      ],
      [
        'a negative zero',
        text.replace('"position_ms":31000', '"position_ms":-0,"x":1').replace(',"x":1', ''),
        'position_ms: -0 is not written',
      ],
    ])('rejects %s', (_what, input, reason) => {
      const result = decodeListeningEvent(input);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toContain(reason);
    });

    it('rejects bytes that are not UTF-8 instead of decoding them to U+FFFD', () => {
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, 30)),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from(text.slice(30)),
      ]);
      expect(decodeListeningEvent(bytes)).toEqual({ ok: false, reason: 'not valid UTF-8' });
    });

    it('accepts the canonical text', () => {
      expect(decodeListeningEvent(Buffer.from(text))).toMatchObject({ ok: true });
    });
  });
});
