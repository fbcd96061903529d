import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  type Album,
  type Artist,
  ConfigError,
  type Track,
  validateAlbum,
  validateArtist,
  validateTrack,
} from '@spotify-pipeline/shared';
import { assembleCatalog, type Catalog } from './catalog.js';
import { type CsvProblem, CsvReader, type CsvRow } from './csv.js';
import { tasteGenre } from './taste-genre.js';

// The columns of the widely used public Spotify tracks datasets (the Hugging Face / Kaggle "spotify tracks
// dataset": track_id, artists, album_name, track_name, popularity, duration_ms, explicit, audio features,
// track_genre), with the other spellings those datasets use. Columns not listed (audio features, explicit, an
// unnamed index) are read past: the catalog contract has no field for them.
const COLUMNS = {
  trackId: ['track_id', 'id', 'spotify_id'],
  trackName: ['track_name', 'name', 'track'],
  artists: ['artists', 'artist_name', 'artist', 'artist_names'],
  albumName: ['album_name', 'album'],
  popularity: ['popularity', 'track_popularity'],
  durationMs: ['duration_ms'],
  genre: ['track_genre', 'genre', 'playlist_genre'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ['trackId', 'trackName', 'artists', 'durationMs'];

/** The catalog holds every track in memory, with its events' JSON: a bound the simulator can carry. */
export const MAX_IMPORTED_TRACKS = 1_000_000;
/** Problems kept for the report; the rest are counted. */
const KEPT_PROBLEMS = 20;
const ARTIST_GENRES_MAX = 16;
const MAX_GENRE_CHARS = 100;
const PRINTABLE_ID = /^[\x21-\x7e]{1,256}$/;

export interface TracksCsvImport {
  catalog: Catalog;
  /** Data rows read (the header not counted). */
  rows: number;
  /** Rows that repeat a track id already read (the datasets list a track once per genre): merged. */
  duplicates: number;
  /** Rows skipped, each with its line and reason; the first few are kept. */
  problems: CsvProblem[];
  problemCount: number;
}

export interface TracksCsvOptions {
  /** Called about every `progressMs` while reading, with rows so far and the bytes read of the file's size. */
  onProgress?: (progress: { rows: number; bytes: number; totalBytes: number }) => void;
  progressMs?: number;
  /** Default MAX_IMPORTED_TRACKS. */
  maxTracks?: number;
}

interface TrackRow {
  trackId: string;
  name: string;
  artist: string;
  albumName: string;
  popularity: number;
  durationMs: number;
  genre: string;
}

/** Reads a tracks CSV into a catalog the simulator draws its listening from; unusable rows are reported, not fatal. */
export async function importTracksCsv(
  path: string,
  options: TracksCsvOptions = {},
): Promise<TracksCsvImport> {
  const totalBytes = await fileSize(path);
  const maxTracks = options.maxTracks ?? MAX_IMPORTED_TRACKS;
  const reader = new CsvReader();
  const builder = new CatalogBuilder();
  const problems: CsvProblem[] = [];
  let problemCount = 0;
  let columns: Record<Column, number> | undefined;
  let headerWidth = 0;
  let rows = 0;
  let bytes = 0;
  let lastProgress = performance.now();
  const problem = (p: CsvProblem) => {
    problemCount++;
    if (problems.length < KEPT_PROBLEMS) problems.push(p);
  };
  const take = (batch: { rows: CsvRow[]; problems: CsvProblem[] }) => {
    // In line order, so the problems kept are the first ones.
    const problemsLeft = [...batch.problems];
    for (const row of batch.rows) {
      while (problemsLeft.length > 0 && problemsLeft[0]!.line < row.line) problem(problemsLeft.shift()!);
      if (!columns) {
        columns = headerColumns(row.fields, path);
        headerWidth = row.fields.length;
        continue;
      }
      rows++;
      const parsed = trackRow(row.fields, columns, headerWidth);
      if (typeof parsed === 'string') problem({ line: row.line, reason: parsed });
      else {
        const refused = builder.add(parsed);
        if (refused) problem({ line: row.line, reason: refused });
      }
    }
    for (const p of problemsLeft) problem(p);
  };

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk);
    take(reader.push(chunk));
    if (builder.trackCount > maxTracks) {
      stream.destroy();
      throw new ConfigError(`${path}: more than ${maxTracks.toLocaleString('en-US')} tracks`, {
        hint: 'the simulator keeps its catalog in memory: import a sample of the file',
      });
    }
    const now = performance.now();
    if (options.onProgress && now - lastProgress >= (options.progressMs ?? 5000)) {
      options.onProgress({ rows, bytes, totalBytes });
      lastProgress = now;
    }
  }
  take(reader.end());
  if (!columns)
    throw new ConfigError(`${path}: the file is empty`, {
      hint: 'expected a header line, then a track per line',
    });
  if (builder.trackCount === 0) {
    const first = problems[0];
    throw new ConfigError(
      `${path}: no usable track in ${rows} rows${first ? ` (line ${first.line}: ${first.reason})` : ''}`,
    );
  }
  return { catalog: builder.build(), rows, duplicates: builder.duplicates, problems, problemCount };
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new ConfigError(`${path}: not a file`, { hint: 'give the path of a tracks CSV file' });
    return info.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? error})`}`,
    );
  }
}

function headerColumns(fields: string[], path: string): Record<Column, number> {
  const names = fields.map((f) => f.trim().toLowerCase());
  const found = {} as Record<Column, number>;
  for (const [column, spellings] of Object.entries(COLUMNS) as Array<[Column, readonly string[]]>) {
    found[column] = names.findIndex((n) => spellings.includes(n));
  }
  const missing = REQUIRED.filter((c) => found[c] < 0);
  if (missing.length > 0) {
    // The first line as read, printable and short: enough to see what kind of file this is.
    const line = fields.join(',').replace(/[^\x20-\x7e]/g, '?');
    const shown = line.length > 100 ? `${line.slice(0, 100)}...` : line;
    throw new ConfigError(
      `${path}: not a tracks CSV: no ${missing.map((c) => COLUMNS[c][0]).join(', ')} column in its first line (${shown})`,
      {
        hint: 'the first line must name the columns: track_id, track_name, artists, duration_ms, and optionally album_name, popularity, track_genre',
      },
    );
  }
  return found;
}

/** One data row as a track, or why it cannot be one. */
function trackRow(fields: string[], at: Record<Column, number>, width: number): TrackRow | string {
  if (fields.length !== width) return `${fields.length} fields where the header has ${width}`;
  const get = (column: Column) => (at[column] >= 0 ? fields[at[column]]!.trim() : '');
  const trackId = get('trackId');
  if (!trackId) return 'no track_id';
  if (!PRINTABLE_ID.test(trackId)) {
    return `track_id ${JSON.stringify(trackId.slice(0, 40))} is not an id (1-256 printable characters, no spaces)`;
  }
  const name = get('trackName');
  if (!name) return 'no track_name';
  // Several artists are joined by ";" in these datasets; the contract's track has one artist, the first.
  const artist = get('artists').split(';')[0]!.trim();
  if (!artist) return 'no artist';
  const durationText = get('durationMs');
  const durationMs = Number(durationText);
  if (!(Number.isInteger(durationMs) && durationMs > 0 && durationMs <= 86_400_000)) {
    return `duration_ms ${JSON.stringify(durationText.slice(0, 40))} is not a whole number of milliseconds from 1 to 86,400,000`;
  }
  const popularityText = get('popularity');
  const popularity = popularityText === '' ? 0 : Number(popularityText);
  if (!(popularity >= 0 && popularity <= 100))
    return `popularity ${JSON.stringify(popularityText.slice(0, 40))} is not from 0 to 100`;
  const genre = get('genre');
  if (genre.length > MAX_GENRE_CHARS) return `track_genre is longer than ${MAX_GENRE_CHARS} characters`;
  return { trackId, name, artist, albumName: get('albumName'), popularity, durationMs, genre };
}

/** A 22-character base62 id (the shape of Spotify's) for an artist or album the dataset names but gives no id. */
function derivedId(kind: string, ...names: string[]): string {
  const digest = createHash('sha256')
    .update([kind, ...names].join('\u0000'))
    .digest();
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE62[digest[i]! % 62];
  return id;
}
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface ArtistEntry {
  record: Artist;
  genres: Set<string>;
  albums: Map<string, AlbumEntry>;
}
interface AlbumEntry {
  record: Album;
  tracks: Array<{ record: Track; genre: number }>;
  bestPopularity: number;
}

/**
 * Groups the rows by artist (named as in the file: two artists of one name are one) and album, then lays them out
 * as a simulation plays them: an artist's best-known album first, an album's tracks in file order.
 */
class CatalogBuilder {
  private readonly artists = new Map<string, ArtistEntry>();
  /** Each track read, by id, with the artist it was filed under. */
  private readonly artistOfTrack = new Map<string, ArtistEntry>();
  duplicates = 0;

  get trackCount(): number {
    return this.artistOfTrack.size;
  }

  /** Adds the row's track; returns why the contract refuses it, if it does. */
  add(row: TrackRow): string | undefined {
    const known = this.artistOfTrack.get(row.trackId);
    if (known) {
      // The same track again under another genre: the genre counts for its artist, the track stays as first read.
      this.duplicates++;
      this.addGenre(known, row.genre);
      return undefined;
    }
    const artist = this.artist(row.artist);
    const albumName = row.albumName || row.name; // a single is named after its track
    let album = artist.albums.get(albumName);
    const track: Track = {
      schema_version: 1,
      track_id: row.trackId,
      album_id: album?.record.album_id ?? derivedId('album', row.artist, albumName),
      artist_id: artist.record.artist_id,
      name: row.name,
      duration_ms: row.durationMs,
      popularity: row.popularity,
    };
    const checked = validateTrack(track);
    if (!checked.ok) return `refused by the track contract: ${checked.reason}`;
    if (!album) {
      album = {
        record: {
          schema_version: 1,
          album_id: track.album_id!,
          artist_id: artist.record.artist_id,
          name: albumName,
          release_date: null,
        },
        tracks: [],
        bestPopularity: 0,
      };
      artist.albums.set(albumName, album);
    }
    album.tracks.push({ record: track, genre: tasteGenre(row.genre) });
    album.bestPopularity = Math.max(album.bestPopularity, row.popularity);
    this.addGenre(artist, row.genre);
    this.artistOfTrack.set(row.trackId, artist);
    return undefined;
  }

  build(): Catalog {
    const parts = {
      artists: [] as Artist[],
      albums: [] as Album[],
      tracks: [] as Track[],
      trackArtist: [] as number[],
      trackAlbum: [] as number[],
      trackGenre: [] as number[],
      trackWeight: [] as number[],
      albumFirstTrack: [] as number[],
      albumTrackCount: [] as number[],
      artistFirstTrack: [] as number[],
      artistTrackCount: [] as number[],
    };
    for (const artist of this.artists.values()) {
      const a = parts.artists.length;
      artist.record.genres = [...artist.genres];
      parts.artists.push(artist.record);
      parts.artistFirstTrack.push(parts.tracks.length);
      const albums = [...artist.albums.values()].sort((x, y) => y.bestPopularity - x.bestPopularity);
      for (const album of albums) {
        parts.albumFirstTrack.push(parts.tracks.length);
        parts.albumTrackCount.push(album.tracks.length);
        for (const { record, genre } of album.tracks) {
          parts.tracks.push(record);
          parts.trackArtist.push(a);
          parts.trackAlbum.push(parts.albums.length);
          parts.trackGenre.push(genre);
          // Spotify's popularity follows plays roughly on a log scale: 100 is drawn 10,000 times as often as 0.
          parts.trackWeight.push(10 ** ((4 * record.popularity) / 100));
        }
        parts.albums.push(album.record);
      }
      parts.artistTrackCount.push(parts.tracks.length - parts.artistFirstTrack[a]!);
    }
    for (const artist of parts.artists)
      if (!validateArtist(artist).ok) throw new Error(`artist ${artist.artist_id} breaks the contract`);
    for (const album of parts.albums)
      if (!validateAlbum(album).ok) throw new Error(`album ${album.album_id} breaks the contract`);
    return assembleCatalog(parts);
  }

  private artist(name: string): ArtistEntry {
    let entry = this.artists.get(name);
    if (!entry) {
      entry = {
        record: { schema_version: 1, artist_id: derivedId('artist', name), name, genres: [] },
        genres: new Set(),
        albums: new Map(),
      };
      this.artists.set(name, entry);
    }
    return entry;
  }

  private addGenre(artist: ArtistEntry, genre: string): void {
    if (genre && artist.genres.size < ARTIST_GENRES_MAX) artist.genres.add(genre);
  }
}
