import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkBronzeObject } from './bronze-lines.js';
import { bronzeTableFor } from './bronze-tables.js';

const events = bronzeTableFor('listening-events')!;
const artists = bronzeTableFor('catalog.artists')!;
const loadedLines = (gzipped: Buffer) => gunzipSync(gzipped).toString('utf8').split('\n').filter(Boolean);

describe('checkBronzeObject', () => {
  it('loads a clean object from its own bytes', async () => {
    const body = gzipSync('{"event_id":"a","duration_ms":5}\n{"event_id":"b","track_name":"é\\u00e9"}\n');
    const checked = await checkBronzeObject(body, events);
    expect(checked).toEqual({ gzipped: body, rows: 2, lineNumbers: null, rejected: [] });
  });

  it('quarantines each line a warehouse would refuse or read differently, with its line number, and keeps the rest', async () => {
    const lines = [
      '{"event_id":"ok-1"}',
      '{"event_id":"a","event_id":"b"}',
      '{"event_id":"x\\u0000y"}',
      '{"event_id":"\\ud800"}',
      '{"duration_ms":2e5}',
      '{"duration_ms":1000.0}',
      '[1,2,3]',
      '{"event_id":"unterminated',
      '{"track_name":{"nested":true}}',
      `{"deep":${'['.repeat(40)}${']'.repeat(40)}}`,
      '{"event_id":"ok-2"}\r',
      '',
      '{"event_id":"ok-3"}',
    ];
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const body = Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), bad, Buffer.from('\n')]);
    const checked = await checkBronzeObject(gzipSync(body), events);
    expect(checked.rejected.map((r) => [r.line, r.code])).toEqual([
      [2, 'duplicate_key'],
      [3, 'nul_character'],
      [4, 'lone_surrogate'],
      [5, 'number_form'],
      [6, 'number_form'],
      [7, 'not_an_object'],
      [8, 'not_json'],
      [9, 'field_kind'],
      [10, 'too_deep'],
      [14, 'not_utf8'],
    ]);
    expect(checked.rows).toBe(3);
    expect(checked.lineNumbers).toEqual([1, 11, 13]);
    expect(loadedLines(checked.gzipped)).toEqual([
      '{"event_id":"ok-1"}',
      '{"event_id":"ok-2"}',
      '{"event_id":"ok-3"}',
    ]);
    expect(checked.rejected[1]!.excerpt).toBe('{"event_id":"x\\u0000y"}');
    expect(checked.rejected.every((r) => r.reason.length > 0 && !/\p{Cc}/u.test(r.excerpt))).toBe(true);
  });

  it('keeps a list where the bronze column is declared to hold one', async () => {
    const checked = await checkBronzeObject(gzipSync('{"artist_id":"a","genres":["pop","rock"]}\n'), artists);
    expect(checked.rejected).toEqual([]);
    const object = await checkBronzeObject(gzipSync('{"artist_id":"a","genres":{"pop":1}}\n'), artists);
    expect(object.rejected.map((r) => r.code)).toEqual(['field_kind']);
  });

  it('quarantines an object that is not gzip as one row instead of failing the load', async () => {
    const checked = await checkBronzeObject(Buffer.from('{"event_id":"a"}\n'), events);
    expect(checked.rows).toBe(0);
    expect(checked.rejected).toMatchObject([{ line: 0, code: 'unreadable_object' }]);
  });
});
