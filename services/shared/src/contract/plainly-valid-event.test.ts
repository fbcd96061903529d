import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LISTENING_EVENT_FIELDS, listeningEventSchema } from './listening-event.js';
import { isPlainlyValidEvent } from './plainly-valid-event.js';

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
  album_id: 'al-1',
  album_name: 'Album',
  duration_ms: 200_000,
  position_ms: 31_000,
  ms_played: 31_000,
  device_type: 'mobile',
  country: 'GB',
  context_type: 'playlist',
  context_id: 'p-1',
  source: 'simulator',
  shuffle: true,
  offline: false,
};

// Values at and just past every rule of the contract, and of the wrong kinds.
const tricky = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    true,
    0,
    -1,
    1.5,
    86_400_000,
    86_400_001,
    Number.MAX_SAFE_INTEGER + 2,
    Number.NaN,
    '',
    'x',
    'x'.repeat(256),
    'x'.repeat(257),
    'x'.repeat(1024),
    'x'.repeat(1025),
    'a\u0000b',
    'a\ud800b',
    '🎵',
    'UK',
    'GB',
    'play',
    'complete',
    'skip',
    'tv',
    'radio',
    'history_import',
    '2026-02-29T00:00:00.000Z',
    '2028-02-29T23:59:59.999Z',
    '2026-11-26T24:00:00.000Z',
    '2026-11-26T07:15:00Z',
    '2F1C7C3E-8B1A-4C55-9A51-2B0F8E6F9D10',
    '2f1c7c3e-8b1a-0c55-9a51-2b0f8e6f9d10',
    [],
    {},
  ),
  fc.jsonValue(),
  fc.string({ maxLength: 5 }),
  fc.integer(),
);

const field = fc.constantFrom(...LISTENING_EVENT_FIELDS, 'extra', '__proto__');
const mutation = fc.oneof(fc.record({ set: field, to: tricky }), fc.record({ drop: field }));

const mutate = (changes: Array<{ set: string; to: unknown } | { drop: string }>) => {
  const event: Record<string, unknown> = { ...valid };
  for (const change of changes)
    if ('drop' in change) delete event[change.drop];
    else
      Object.defineProperty(event, change.set, {
        value: change.to,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return event;
};

describe('isPlainlyValidEvent', () => {
  it('takes a valid event, with and without its optional fields and nulls', () => {
    expect(isPlainlyValidEvent(valid)).toBe(true);
    const { ms_played: _, shuffle: __, offline: ___, ...bare } = valid;
    expect(isPlainlyValidEvent({ ...bare, event_type: 'play' })).toBe(true);
    expect(
      isPlainlyValidEvent({
        ...valid,
        album_id: null,
        album_name: null,
        country: null,
        context_type: null,
        context_id: null,
      }),
    ).toBe(true);
  });

  it.each([
    ['a missing required field', { ...valid, user_id: undefined }],
    ['an unknown field', { ...valid, extra: 1 }],
    ['skip without ms_played', { ...valid, ms_played: undefined }],
    ['a position past the duration', { ...valid, position_ms: 200_001 }],
    ['a calendar date that does not exist', { ...valid, event_ts: '2026-02-30T00:00:00.000Z' }],
    ['a lone surrogate', { ...valid, track_name: 'a\ud800' }],
    ['a NUL', { ...valid, artist_id: 'a\u0000' }],
  ])('refuses %s', (_, event) => {
    expect(isPlainlyValidEvent(event)).toBe(false);
  });

  it('is never true where the schema refuses (any mix of mutations)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), (changes) => {
        const event = mutate(changes);
        const plain = isPlainlyValidEvent(event);
        const schema = listeningEventSchema.safeParse(event).success;
        if (plain) {
          accepted++;
          expect(schema).toBe(true);
        }
      }),
      { seed: 20261203, numRuns: 20_000 },
    );
    // The fast answer must also be the common one, or it saves nothing.
    expect(accepted).toBeGreaterThan(1000);
  });
});
