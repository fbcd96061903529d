import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_EVENT_BYTES } from './listening-event.js';
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
});
