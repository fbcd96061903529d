import { MAX_EVENT_BYTES } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { intakeAt } from '../test/sample-event.js';
import { toCatalogLine } from './catalog-line.js';
import { catalogClassifier } from './classify-record.js';

const origin = { topic: 'plays.catalog.tracks', partition: 0, offset: '17' };
const at = intakeAt('2026-03-04T05:59:59.999Z');
const track = {
  schema_version: 1,
  track_id: 't1',
  album_id: null,
  artist_id: 'a1',
  name: 'Jóga',
  duration_ms: 305_000,
  popularity: 64.5,
};
const line = (value: unknown, kind: 'artists' | 'albums' | 'tracks' = 'tracks') =>
  toCatalogLine(kind, Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), origin, at);

describe('toCatalogLine', () => {
  it('keeps the record as sent, adds the lake metadata and files it under the ingestion hour', () => {
    const result = line(track);
    if (result.ok !== true) throw new Error(`refused: ${result.reason}`);
    expect(result).toMatchObject({ date: '2026-03-04', hour: '05' });
    expect(JSON.parse(result.line)).toEqual({
      ...track,
      _topic: 'plays.catalog.tracks',
      _partition: 0,
      _offset: 17,
      _ingested_at: at.ingestedAt,
    });
    expect(result.bytes).toBe(Buffer.byteLength(result.line));
  });

  it('reads each catalog by its own schema', () => {
    const artist = { schema_version: 1, artist_id: 'a1', name: 'Björk', genres: ['art pop', 'electronic'] };
    const album = {
      schema_version: 1,
      album_id: 'b1',
      artist_id: 'a1',
      name: 'Homogenic',
      release_date: null,
    };
    expect(line(artist, 'artists').ok).toBe(true);
    expect(line(album, 'albums').ok).toBe(true);
    const trackAsArtist = line(track, 'artists');
    expect(trackAsArtist).toMatchObject({ ok: false, kind: 'contract' });
    expect(trackAsArtist.ok === false && trackAsArtist.reason).toMatch(/genres: is required/);
  });

  it('skips a tombstone: a compacted topic deleting a key is not a broken record', () => {
    expect(toCatalogLine('tracks', null, origin, at)).toEqual({ ok: 'skip', reason: 'tombstone' });
    expect(catalogClassifier('albums')(null, origin, at)).toEqual({ ok: 'skip', reason: 'tombstone' });
  });

  it('says why a careless or hostile record is refused', () => {
    const refused: Array<[unknown, RegExp, string]> = [
      ['{"schema_version":1,', /not valid JSON/, 'json'],
      ['[1,2]', /not a JSON object/, 'contract'],
      [{ ...track, popularity: 'high' }, /popularity/, 'contract'],
      [{ ...track, popularity: 101 }, /popularity/, 'contract'],
      [{ ...track, duration_ms: 0 }, /duration_ms/, 'contract'],
      [{ ...track, _topic: 'spoofed' }, /_topic/, 'contract'],
      [{ ...track, schema_version: 2 }, /schema_version/, 'contract'],
      [JSON.stringify(track).replace('64.5', '6.45e1'), /number/, 'contract'],
      [JSON.stringify(track).replace('"t1"', '"t1","track_id":"t2"'), /track_id/, 'contract'],
    ];
    for (const [value, reason, kind] of refused) {
      const result = line(value);
      expect(result, String(value)).toMatchObject({ ok: false, kind });
      expect(result.ok === false && result.reason, String(value)).toMatch(reason);
    }
    const big = line({ ...track, name: 'x'.repeat(MAX_EVENT_BYTES) });
    expect(big).toMatchObject({ ok: false, kind: 'size' });
    const notUtf8 = toCatalogLine('tracks', Buffer.from([0x7b, 0xff, 0x7d]), origin, at);
    expect(notUtf8).toMatchObject({ ok: false, kind: 'json' });
  });
});
