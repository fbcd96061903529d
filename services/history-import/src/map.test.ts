import { exportRows } from '@spotify-pipeline/harness/spotify-export';
import { validateListeningEvent } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { deviceFromPlatform } from './export-row.js';
import { mapRows, SESSION_GAP_MS, stableUuid } from './map.js';

describe('mapRows', () => {
  const rows = exportRows(200);
  const mapped = mapRows(rows);

  it('turns each music row into a valid play and skip/complete pair and counts what it skips', () => {
    expect(mapped.counts).toMatchObject({ rows: 200, podcast: 4, empty: 4, incognito: 4, rejected: 0 });
    expect(mapped.counts.plays).toBe(188);
    expect(mapped.events).toHaveLength(376);
    expect(mapped.events.map((e) => validateListeningEvent(e)).filter((r) => !r.ok)).toEqual([]);
    const first = rows[1] as { ts: string; ms_played: number };
    const [play, end] = mapped.events.slice(2, 4);
    expect(play).toMatchObject({
      event_type: 'play',
      position_ms: 0,
      source: 'history_import',
      user_id: 'listener1',
    });
    expect(end).toMatchObject({
      event_type: 'complete',
      ms_played: first.ms_played,
      event_ts: new Date(first.ts).toISOString(),
    });
    expect(Date.parse(end!.event_ts) - Date.parse(play!.event_ts)).toBe(first.ms_played);
    expect(mapped.events.filter((e) => e.event_type === 'skip')).toHaveLength(50);
  });

  it('gives the same ids on re-import, distinct ids for identical rows, and different ids per user', () => {
    expect(mapRows(rows).events.map((e) => e.event_id)).toEqual(mapped.events.map((e) => e.event_id));
    const ids = mapped.events.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    const twice = mapRows([rows[1], rows[1]]);
    expect(new Set(twice.events.map((e) => e.event_id)).size).toBe(4);
    const other = mapRows(rows, { userId: 'someone-else' });
    expect(other.events[0]!.event_id).not.toBe(mapped.events[0]!.event_id);
    expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('starts a new session after a gap of more than 30 minutes', () => {
    const sessions = new Set(mapped.events.map((e) => e.session_id));
    // exportRows leaves a three-hour gap before every 25th row.
    expect(sessions.size).toBe(8);
    const ordered = [...mapped.events].sort((a, b) => (a.event_ts < b.event_ts ? -1 : 1));
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i]!.session_id !== ordered[i - 1]!.session_id) {
        expect(Date.parse(ordered[i]!.event_ts) - Date.parse(ordered[i - 1]!.event_ts)).toBeGreaterThan(
          SESSION_GAP_MS,
        );
      }
    }
  });

  it('rejects malformed rows with a readable reason and keeps the rest', () => {
    const bad = mapRows([
      { ...(rows[1] as object), ts: 'yesterday' },
      { ...(rows[2] as object), ms_played: -5 },
      { ...(rows[3] as object), spotify_track_uri: 'not-a-uri' },
      'a string',
      rows[4],
    ]);
    expect(bad.rejected.map((r) => r.reason)).toEqual([
      expect.stringContaining('ts: must be a UTC timestamp'),
      expect.stringContaining('ms_played: Too small'),
      expect.stringContaining('spotify_track_uri: must look like spotify:track:<id>'),
      expect.stringContaining('expected object'),
    ]);
    expect(JSON.parse(bad.rejected[0]!.original).ts).toBe('yesterday');
    expect(bad.events).toHaveLength(2);
  });

  it('maps free-text platforms to the contract devices', () => {
    expect(deviceFromPlatform('Android OS 9 API 28 (samsung, SM-G960F)')).toBe('mobile');
    expect(deviceFromPlatform('iOS 9.3.5 (iPad4,1)')).toBe('tablet');
    expect(deviceFromPlatform('OS X 10.15.7 [x86 8]')).toBe('desktop');
    expect(deviceFromPlatform('web_player osx 10.15.7;chrome 118;desktop')).toBe('web');
    expect(deviceFromPlatform('Partner sonos_amazon_echo')).toBe('smart_speaker');
    expect(deviceFromPlatform('Partner android_tv Sony;BRAVIA 4K')).toBe('tv');
    expect(deviceFromPlatform('PS5')).toBe('console');
    expect(deviceFromPlatform('Android Auto')).toBe('car');
    expect(deviceFromPlatform(null)).toBe('mobile');
  });
});
