import { validateAlbum, validateArtist, validateTrack } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from './catalog.js';
import { Rng } from './prng.js';

describe('buildCatalog', () => {
  const catalog = buildCatalog({ seed: 5, artists: 300 });

  it('is the same for the same seed and different for another', () => {
    const again = buildCatalog({ seed: 5, artists: 300 });
    expect(again.trackJson).toEqual(catalog.trackJson);
    expect(buildCatalog({ seed: 6, artists: 300 }).trackJson).not.toEqual(catalog.trackJson);
  });

  it('produces contract-valid artists, albums and tracks with unique ids', () => {
    for (const a of catalog.artists) expect(validateArtist(a)).toMatchObject({ ok: true });
    for (const a of catalog.albums) expect(validateAlbum(a)).toMatchObject({ ok: true });
    for (const t of catalog.tracks) expect(validateTrack(t)).toMatchObject({ ok: true });
    const ids = [...catalog.artists.map((a) => a.artist_id), ...catalog.tracks.map((t) => t.track_id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(catalog.tracks.every((t) => /^[0-9A-Za-z]{22}$/.test(t.track_id))).toBe(true);
  });

  it('keeps each track JSON fragment parseable and in step with its record', () => {
    for (let i = 0; i < catalog.tracks.length; i += 97) {
      const fragment = JSON.parse(`{${catalog.trackJson[i]}}`);
      expect(fragment.track_id).toBe(catalog.tracks[i]!.track_id);
      expect(fragment.duration_ms).toBe(catalog.tracks[i]!.duration_ms);
      expect(fragment.artist_name).toBe(catalog.artists[catalog.trackArtist[i]!]!.name);
    }
  });

  it('gives chart-like popularity: a few tracks take a large share of plays', () => {
    const rng = new Rng(1);
    const plays = new Uint32Array(catalog.tracks.length);
    const draws = 200_000;
    for (let i = 0; i < draws; i++) plays[catalog.anyTrack.pick(rng.float())]! += 1;
    const sorted = [...plays].sort((a, b) => b - a);
    const top1Percent = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((a, b) => a + b, 0);
    const bottomHalf = sorted.slice(Math.floor(sorted.length / 2)).reduce((a, b) => a + b, 0);
    expect(top1Percent / draws).toBeGreaterThan(0.15);
    expect(bottomHalf / draws).toBeLessThan(0.15);
    const mostPlayed = sorted.indexOf(sorted[0]!);
    expect(catalog.tracks[plays.indexOf(sorted[mostPlayed]!)]!.popularity).toBeGreaterThan(80);
  });
});
