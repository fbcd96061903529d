// The English-only entry point: importing the package root loads every locale (about 30 MB more RSS).
import { faker } from '@faker-js/faker/locale/en';
import type { Album, Artist, Track } from '@spotify-pipeline/shared';
import { GENRE_NAMES, GENRES } from './genres.js';
import { hash32, Rng } from './prng.js';
import { WeightedSampler, zipfWeights } from './sampler.js';

export interface CatalogOptions {
  seed: number;
  artists: number;
}

/**
 * A generated catalog: contract records for the compacted topics, plus flat typed arrays and pre-serialized
 * JSON fragments so that building an event never touches an object or escapes a string.
 * Tracks are stored contiguously per album and albums per artist, so "next track of the album" is `i + 1`.
 */
export interface Catalog {
  readonly artists: Artist[];
  readonly albums: Album[];
  readonly tracks: Track[];
  readonly trackArtist: Int32Array;
  readonly trackAlbum: Int32Array;
  readonly trackDurationMs: Int32Array;
  readonly trackGenre: Uint8Array;
  /** `"track_id":…,"duration_ms":N` for each track: the track's part of every event, in contract order. */
  readonly trackJson: string[];
  readonly albumFirstTrack: Int32Array;
  readonly albumTrackCount: Int32Array;
  readonly artistFirstTrack: Int32Array;
  readonly artistTrackCount: Int32Array;
  /** Draws a track within one genre with chart-like (Zipf) popularity. */
  readonly genreTracks: Array<{ ids: Int32Array; sampler: WeightedSampler }>;
  /** Draws a track from the whole catalog by popularity (search, charts). */
  readonly anyTrack: WeightedSampler;
  /** Draws one of an artist's tracks by its popularity within the artist. */
  readonly withinArtist: WeightedSampler;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base62 id, the shape of Spotify's own ids, derived from (seed, kind, index). */
function spotifyId(seed: number, kind: number, index: number): string {
  const rng = new Rng(hash32(seed, kind), index);
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE62[rng.int(62)];
  return id;
}

const KIND = { artist: 1, album: 2, track: 3 } as const;
const MAX_TRACKS_PER_ARTIST = 64;

export function buildCatalog(options: CatalogOptions): Catalog {
  const { seed } = options;
  const rng = new Rng(seed, 0xca7a);
  faker.seed(seed);
  const genreSampler = new WeightedSampler(GENRES.map(([, share]) => share));
  const title = (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase());

  const artists: Artist[] = [];
  const albums: Album[] = [];
  const tracks: Track[] = [];
  const trackArtist: number[] = [];
  const trackAlbum: number[] = [];
  const trackGenre: number[] = [];
  const trackWeight: number[] = [];
  const albumFirstTrack: number[] = [];
  const albumTrackCount: number[] = [];
  const artistFirstTrack: number[] = [];
  const artistTrackCount: number[] = [];
  const artistWeights = zipfWeights(options.artists, 1.05);

  for (let a = 0; a < options.artists; a++) {
    const genre = genreSampler.pick(rng.float());
    const genres = [GENRE_NAMES[genre]!];
    if (rng.chance(0.3)) {
      const second = GENRE_NAMES[genreSampler.pick(rng.float())]!;
      if (second !== genres[0]) genres.push(second);
    }
    const artistName =
      rng.float() < 0.55
        ? faker.person.fullName()
        : `${rng.chance(0.5) ? 'The ' : ''}${title(faker.word.adjective())} ${title(faker.word.noun())}s`;
    const artistId = spotifyId(seed, KIND.artist, a);
    artists.push({ schema_version: 1, artist_id: artistId, name: artistName, genres });
    artistFirstTrack.push(tracks.length);

    const debutYear = 1965 + Math.floor(60 * Math.sqrt(rng.float()));
    const albumCount = 1 + rng.int(5);
    for (let b = 0; b < albumCount && tracks.length - artistFirstTrack[a]! < MAX_TRACKS_PER_ARTIST; b++) {
      const albumIndex = albums.length;
      const year = Math.min(2025, debutYear + b * (1 + rng.int(4)));
      const releaseDate = `${year}-${pad2(1 + rng.int(12))}-${pad2(1 + rng.int(28))}`;
      const kindRoll = rng.float();
      const trackCount = kindRoll < 0.3 ? 1 : kindRoll < 0.5 ? 4 + rng.int(3) : 8 + rng.int(9);
      const albumName =
        trackCount === 1
          ? ''
          : rng.chance(0.4)
            ? faker.music.album()
            : title(`${faker.word.adjective()} ${faker.word.noun()}`);
      const albumId = spotifyId(seed, KIND.album, albumIndex);
      albumFirstTrack.push(tracks.length);
      albumTrackCount.push(trackCount);
      // Newer releases and an artist's best-known album draw more plays than deep cuts.
      const recency = 0.3 + 0.7 * ((year - 1965) / 60) ** 2;
      const albumWeight = artistWeights[a]! * recency * (b === 0 ? 1 : 0.6 / b);
      let firstName = '';
      for (let t = 0; t < trackCount; t++) {
        const name = rng.chance(0.35)
          ? faker.music.songName()
          : title(`${faker.word.adjective()} ${faker.word.noun()}`);
        if (t === 0) firstName = name;
        const genreName = genres.length > 1 && rng.chance(0.25) ? genres[1]! : genres[0]!;
        const medianMs = genreName === 'classical' ? 420_000 : genreName === 'jazz' ? 300_000 : 200_000;
        const durationMs = clamp(Math.round(rng.logNormal(medianMs, 0.3)), 45_000, 1_200_000);
        const trackId = spotifyId(seed, KIND.track, tracks.length);
        trackArtist.push(a);
        trackAlbum.push(albumIndex);
        trackGenre.push(GENRE_NAMES.indexOf(genreName));
        trackWeight.push(albumWeight / (t + 1) ** 0.6);
        tracks.push({
          schema_version: 1,
          track_id: trackId,
          album_id: albumId,
          artist_id: artistId,
          name,
          duration_ms: durationMs,
          popularity: 0,
        });
      }
      albums.push({
        schema_version: 1,
        album_id: albumId,
        artist_id: artistId,
        name: albumName || firstName,
        release_date: releaseDate,
      });
    }
    artistTrackCount.push(tracks.length - artistFirstTrack[a]!);
  }

  setPopularity(tracks, trackWeight);
  return assembleCatalog({
    artists,
    albums,
    tracks,
    trackArtist,
    trackAlbum,
    trackGenre,
    trackWeight,
    albumFirstTrack,
    albumTrackCount,
    artistFirstTrack,
    artistTrackCount,
  });
}

/**
 * A catalog's records in play order (an artist's albums together, an album's tracks together) with, per track,
 * its artist and album index, taste genre (index into GENRE_NAMES) and play weight.
 */
export interface CatalogParts {
  artists: Artist[];
  albums: Album[];
  tracks: Track[];
  trackArtist: number[];
  trackAlbum: number[];
  trackGenre: number[];
  trackWeight: number[];
  albumFirstTrack: number[];
  albumTrackCount: number[];
  artistFirstTrack: number[];
  artistTrackCount: number[];
}

/** The typed arrays, pre-serialized fragments and samplers a simulation draws from, for generated or imported records. */
export function assembleCatalog(parts: CatalogParts): Catalog {
  const { artists, albums, tracks, trackArtist, trackAlbum, trackGenre, trackWeight } = parts;
  const trackJson = tracks.map((t, i) => {
    const artist = artists[trackArtist[i]!]!;
    const album = albums[trackAlbum[i]!]!;
    return (
      `"track_id":${JSON.stringify(t.track_id)},"track_name":${JSON.stringify(t.name)},` +
      `"artist_id":${JSON.stringify(artist.artist_id)},"artist_name":${JSON.stringify(artist.name)},` +
      `"album_id":${JSON.stringify(album.album_id)},"album_name":${JSON.stringify(album.name)},"duration_ms":${t.duration_ms}`
    );
  });

  const genreTracks = GENRE_NAMES.map((_, g) => {
    const ids = trackGenre.flatMap((tg, i) => (tg === g ? [i] : []));
    // A genre no artist drew still needs a sampler; it falls back to the whole catalog.
    const chosen = ids.length > 0 ? ids : tracks.map((_, i) => i);
    return { ids: Int32Array.from(chosen), sampler: new WeightedSampler(chosen.map((i) => trackWeight[i]!)) };
  });
  const mostTracksOfAnArtist = parts.artistTrackCount.reduce((m, n) => Math.max(m, n), 0);

  return {
    artists,
    albums,
    tracks,
    trackArtist: Int32Array.from(trackArtist),
    trackAlbum: Int32Array.from(trackAlbum),
    trackDurationMs: Int32Array.from(tracks, (t) => t.duration_ms),
    trackGenre: Uint8Array.from(trackGenre),
    trackJson,
    albumFirstTrack: Int32Array.from(parts.albumFirstTrack),
    albumTrackCount: Int32Array.from(parts.albumTrackCount),
    artistFirstTrack: Int32Array.from(parts.artistFirstTrack),
    artistTrackCount: Int32Array.from(parts.artistTrackCount),
    genreTracks,
    anyTrack: new WeightedSampler(trackWeight),
    withinArtist: new WeightedSampler(
      zipfWeights(Math.max(MAX_TRACKS_PER_ARTIST + 16, mostTracksOfAnArtist), 1.1),
    ),
  };
}

/** Spotify-style popularity 0-100: the log of a track's expected play share, scaled to the catalog. */
function setPopularity(tracks: Track[], weights: number[]): void {
  const logs = weights.map(Math.log);
  const min = logs.reduce((m, v) => Math.min(m, v), Infinity);
  const max = logs.reduce((m, v) => Math.max(m, v), -Infinity);
  const span = max - min || 1;
  tracks.forEach((t, i) => {
    t.popularity = Math.round((100 * (logs[i]! - min)) / span);
  });
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
