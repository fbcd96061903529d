import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  type ListeningEvent,
  validateAlbum,
  validateArtist,
  validateListeningEvent,
  validateTrack,
} from '@spotify-pipeline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { TRACKS_SAMPLE_CSV as SAMPLE, SAMPLE_TRACK_IDS } from '../test/tracks-sample.js';
import { GENRE_NAMES } from './genres.js';
import { Simulation } from './simulation.js';
import { tasteGenre } from './taste-genre.js';
import { importTracksCsv, MAX_IMPORTED_TRACKS } from './tracks-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'tracks-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('importTracksCsv', () => {
  it('reads the public tracks dataset shape into contract records, merging repeats and reporting bad rows by line', async () => {
    const result = await importTracksCsv(file('dataset.csv', SAMPLE));
    const { catalog } = result;
    expect(result.rows).toBe(15);
    expect(result.duplicates).toBe(1);
    expect(result.problemCount).toBe(5);
    expect(result.problems).toEqual([
      { line: 12, reason: 'no track_id' },
      {
        line: 13,
        reason: 'duration_ms "3 min" is not a whole number of milliseconds from 1 to 86,400,000',
      },
      { line: 14, reason: 'popularity "101" is not from 0 to 100' },
      { line: 15, reason: '5 fields where the header has 21' },
      { line: 16, reason: 'no artist' },
    ]);
    expect(catalog.tracks.map((t) => t.track_id).sort()).toEqual([...SAMPLE_TRACK_IDS].sort());
    for (const a of catalog.artists) expect(validateArtist(a)).toMatchObject({ ok: true });
    for (const a of catalog.albums) expect(validateAlbum(a)).toMatchObject({ ok: true });
    for (const t of catalog.tracks) expect(validateTrack(t)).toMatchObject({ ok: true });

    // The first of several artists is the track's; an artist's genres are its rows' genres.
    const gen = catalog.artists.find((a) => a.name === 'Gen Hoshino')!;
    expect(gen.genres).toEqual(['acoustic', 'j-pop']);
    expect(catalog.artists.map((a) => a.name)).toContain('Ingrid Michaelson');
    expect(catalog.artists.map((a) => a.name)).not.toContain('ZAYN');
    // Albums group their tracks, the best-known first; release dates are unknown to the dataset.
    const genAlbums = catalog.albums.filter((a) => a.artist_id === gen.artist_id);
    expect(genAlbums.map((a) => [a.name, a.release_date])).toEqual([
      ['Comedy', null],
      ['Pop Virus', null],
    ]);
    const popVirus = catalog.albums.indexOf(genAlbums[1]!);
    const first = catalog.albumFirstTrack[popVirus]!;
    expect(catalog.albumTrackCount[popVirus]).toBe(2);
    expect([catalog.tracks[first]!.name, catalog.tracks[first + 1]!.name]).toEqual(['Idea', 'Koi']);
    expect(catalog.tracks[first]!.album_id).toBe(genAlbums[1]!.album_id);
    // A track keeps its dataset popularity and duration; its taste genre is its first row's.
    const comedy = catalog.tracks.findIndex((t) => t.track_id === '5SuOikwiRyPMVoIQDJUgSV');
    expect(catalog.tracks[comedy]).toMatchObject({ name: 'Comedy', popularity: 73, duration_ms: 230666 });
    expect(GENRE_NAMES[catalog.trackGenre[comedy]!]).toBe('folk');
    expect(catalog.trackDurationMs[comedy]).toBe(230666);
  });

  it('derives the same artist and album ids from the same names in every run', async () => {
    const a = await importTracksCsv(file('a.csv', SAMPLE));
    const b = await importTracksCsv(file('b.csv', SAMPLE));
    expect(b.catalog.artists).toEqual(a.catalog.artists);
    expect(b.catalog.albums).toEqual(a.catalog.albums);
    expect(new Set(a.catalog.artists.map((x) => x.artist_id)).size).toBe(a.catalog.artists.length);
    for (const x of a.catalog.artists) expect(x.artist_id).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it('reads the other spellings of the columns (artist_name, genre) and files without optional columns', async () => {
    const kaggle = [
      'genre,artist_name,track_name,track_id,popularity,acousticness,duration_ms',
      "Movie,Henri Salvador,C'est beau de faire un Show,0BRjO6ga9RKCKjfDqeFgWV,0,0.611,99373",
      'R&B,Mary J. Blige,"Be Without You",2YegxR5As7BeQuVp2U6pek,65,0.083,255000',
    ].join('\r\n');
    const { catalog } = await importTracksCsv(file('kaggle.csv', kaggle));
    expect(catalog.tracks.map((t) => t.name)).toEqual(["C'est beau de faire un Show", 'Be Without You']);
    expect(GENRE_NAMES[catalog.trackGenre[1]!]).toBe('r&b');
    const bare = await importTracksCsv(
      file('bare.csv', 'track_id,track_name,artists,duration_ms\nabc,Song,Band,1000\n'),
    );
    expect(bare.catalog.tracks).toEqual([
      expect.objectContaining({ track_id: 'abc', name: 'Song', popularity: 0, duration_ms: 1000 }),
    ]);
    expect(bare.catalog.albums[0]).toMatchObject({ name: 'Song', release_date: null });
  });

  it('refuses what is not a tracks CSV with one message naming the path and what is wrong', async () => {
    const refusal = (path: string) =>
      importTracksCsv(path).then(
        () => 'read',
        (error: unknown) => error,
      );
    const expectRefusal = async (path: string, message: RegExp) => {
      const error = await refusal(path);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).describe()).toMatch(message);
    };
    await expectRefusal(join(dir, 'missing.csv'), /missing\.csv: no such file$/);
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    await expectRefusal(join(dir, 'a-folder'), /a-folder: not a file; give the path of a tracks CSV file/);
    await expectRefusal(file('empty.csv', ''), /empty\.csv: the file is empty/);
    await expectRefusal(
      file('history.json', '[{"ts":"2024-01-01T00:00:00Z","ms_played":1000}]\n'),
      /history\.json: not a tracks CSV: no track_id, track_name, artists, duration_ms column in its first line \(\[\{"ts":"2024-01-01T00:00:00Z",ms_played:1000\}\]\); the first line must name the columns/,
    );
    await expectRefusal(
      file('no-good-row.csv', 'track_id,track_name,artists,duration_ms\nabc,Song,Band,-5\n'),
      /no-good-row\.csv: no usable track in 1 rows \(line 2: duration_ms "-5" is not a whole number/,
    );
    await expectRefusal(
      file('binary.csv', Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x0a, 0x02]).toString('latin1')),
      /binary\.csv: not a tracks CSV/,
    );
  });

  it('skips hostile rows (ids with spaces, endless fields, huge genres) and keeps the rest', async () => {
    const text = [
      'track_id,track_name,artists,duration_ms,track_genre',
      'has space,Song,Band,1000,pop',
      `ok1,Song,Band,1000,${'g'.repeat(101)}`,
      `ok2,"${'x'.repeat(70_000)}",Band,1000,pop`,
      'ok3,Song,Band,1000,pop',
    ].join('\n');
    const result = await importTracksCsv(file('hostile.csv', text));
    expect(result.catalog.tracks.map((t) => t.track_id)).toEqual(['ok3']);
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'track_id "has space" is not an id (1-256 printable characters, no spaces)'],
      [3, 'track_genre is longer than 100 characters'],
      [4, 'field 2 is longer than 65536 characters'],
    ]);
  });

  it('refuses a file with more tracks than the catalog holds, saying what to do', async () => {
    const error = await importTracksCsv(file('big.csv', SAMPLE), { maxTracks: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).describe()).toMatch(
      /big\.csv: more than 3 tracks; the simulator keeps its catalog in memory: import a sample of the file/,
    );
    expect(MAX_IMPORTED_TRACKS).toBeGreaterThan(100_000); // the public datasets' 114,000 rows fit
  });
});

describe('a simulation drawing from an imported catalog', () => {
  it('emits contract events that play only the imported tracks, popular ones most', async () => {
    const { catalog } = await importTracksCsv(file('sim.csv', SAMPLE));
    const sim = new Simulation({
      seed: 3,
      runId: 'imported',
      listeners: 500,
      catalog,
      startMs: Date.UTC(2026, 0, 5),
      eventsPerSecond: (500 * 80) / 86_400,
    });
    const events: ListeningEvent[] = [];
    while (sim.emitUntil(Date.UTC(2026, 0, 6), 10_000, (_, json) => events.push(JSON.parse(json))) > 0);
    expect(events.length).toBeGreaterThan(10_000);
    expect(events.filter((e) => !validateListeningEvent(e).ok)).toEqual([]);
    const ids = new Set(catalog.tracks.map((t) => t.track_id));
    expect(events.filter((e) => !ids.has(e.track_id))).toEqual([]);
    const plays = (id: string) => events.filter((e) => e.track_id === id && e.event_type === 'play').length;
    // Popularity 82 against 55: drawn about 10^(4 x 27/100), i.e. 12 times, as often.
    expect(plays('5vjLSffimiIP26QG5WcN2K')).toBeGreaterThan(3 * plays('4qPNDBW1i3p13qLCt0Ki3A'));
    const played = events.find((e) => e.track_id === '6lfxq3CG4xtTiEg7opyCyx')!;
    expect(played).toMatchObject({
      track_name: "Can't Help Falling In Love",
      artist_name: 'Kina Grannis',
      album_name: 'Crazy Rich Asians (Original Motion Picture Soundtrack)',
      duration_ms: 201933,
    });
  });
});

describe('tasteGenre', () => {
  it('draws each dataset genre as one of the simulator’s taste genres', () => {
    const as = (g: string) => GENRE_NAMES[tasteGenre(g)];
    expect(
      [
        'pop',
        'alt-rock',
        'punk-rock',
        'deep-house',
        'hip-hop',
        'r-n-b',
        'j-rock',
        'mpb',
        'death-metal',
        'indie-pop',
        'k-pop',
        'opera',
        'comedy',
        '',
      ].map(as),
    ).toEqual([
      'pop',
      'rock',
      'punk',
      'electronic',
      'hip-hop',
      'r&b',
      'j-pop',
      'sertanejo',
      'metal',
      'indie',
      'k-pop',
      'classical',
      'pop',
      'pop',
    ]);
  });
});
