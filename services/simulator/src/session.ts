import { type CONTEXT_TYPES, DEVICE_TYPES } from '@spotify-pipeline/shared';
import type { Catalog } from './catalog.js';
import { GENRE_NAMES } from './genres.js';
import { type Listener, TASTE_SHARES } from './listeners.js';
import { hash32, type Rng, unit } from './prng.js';
import { localClock } from './rhythm.js';

/** Event kinds in the order of the contract's EVENT_TYPES. */
export const KIND = {
  play: 0,
  pause: 1,
  resume: 2,
  skip: 3,
  complete: 4,
  like: 5,
  add_to_playlist: 6,
} as const;
export const KIND_NAMES = ['play', 'pause', 'resume', 'skip', 'complete', 'like', 'add_to_playlist'] as const;

/** Sub-events still due in the current track, as bits. */
const DUE = { pause: 1, resume: 2, like: 4, add: 8, end: 16 } as const;

type Context = (typeof CONTEXT_TYPES)[number];
const CONTEXT_SKIP_FACTOR: Record<Context, number> = {
  playlist: 1,
  album: 0.6,
  artist: 0.8,
  radio: 1.25,
  search: 0.4,
};

/** What a session needs from the simulation: the catalog, the seed, and a place to put events. */
export interface SessionWorld {
  readonly catalog: Catalog;
  readonly seed: number;
}

/**
 * One listening session as a state machine. A track is planned when it starts (will it be skipped, and
 * where; paused and for how long; liked; added to a playlist), and the session then steps through the
 * planned sub-events in time order: play -> [pause -> resume] -> [like] -> [add_to_playlist] -> skip |
 * complete -> next track, until the session's length is used up. `at` is the time of the next event.
 */
export class Session {
  /** Time of the event `kind` describes; the scheduler orders sessions on it. */
  at = 0;
  kind: number = KIND.play;
  position = 0;
  /** On skip and complete: milliseconds actually heard. */
  msPlayed = -1;
  track = -1;
  /** `"user_id":…,"session_id":…` for every event of the session. */
  readonly userJson: string;
  /** `"device_type":…,"offline":…` for every event of the session (changes if the context does). */
  tailJson = '';

  private trackStart = 0;
  private endPos = 0;
  private skipping = false;
  private pausePos = 0;
  private pauseLen = 0;
  private likePos = 0;
  private addPos = 0;
  private due = 0;
  private readonly endAfter: number;
  private context: Context;
  private contextId: string | null = null;
  private contextGenre = 0;
  private contextArtist = 0;
  private playlistSeed = 0;
  private playlistLength = 0;
  private cursor = 0;
  private readonly shuffle: boolean;
  private readonly device: number;
  private readonly offline: boolean;

  constructor(
    readonly seq: number,
    start: number,
    readonly listener: Listener,
    private readonly rng: Rng,
    private readonly world: SessionWorld,
  ) {
    this.userJson = flat(`"user_id":"${listener.userId}","session_id":"${rng.uuid()}"`);
    const clock = localClock(start, listener.offsetMinutes);
    this.device = pickDevice(listener, clock.hour, clock.weekend, rng);
    const deviceName = DEVICE_TYPES[this.device]!;
    this.offline = (deviceName === 'mobile' || deviceName === 'tablet') && rng.chance(0.04);
    this.context = pickContext(deviceName, rng);
    this.shuffle =
      this.context === 'playlist' ? rng.chance(0.55) : this.context === 'album' && rng.chance(0.1);
    const median = this.context === 'search' ? 4 : deviceName === 'car' ? 25 : 18;
    this.endAfter = start + clamp(rng.logNormal(median, 0.9), 2, 240) * 60_000;
    this.enterContext();
    this.startTrack(start, this.firstTrack());
  }

  /** A fresh event id from the session's stream: deterministic, UUID-shaped. */
  eventId(): string {
    return this.rng.uuid();
  }

  /** Moves to the next event; false when the session is over. */
  advance(): boolean {
    if (this.due === 0) {
      const next = this.at + (this.skipping ? 200 + this.rng.int(800) : this.rng.int(1500));
      const endsEarly = this.skipping && this.rng.chance(0.02);
      if (next >= this.endAfter || endsEarly) return false;
      this.startTrack(next, this.nextTrack());
      return true;
    }
    this.msPlayed = -1;
    let bit = 0;
    let at = Number.POSITIVE_INFINITY;
    // The earliest due sub-event wins; ties go to the order below (pause before resume before like ...).
    const due = this.due;
    if (due & DUE.pause) {
      bit = DUE.pause;
      at = this.trackStart + this.pausePos;
    } else if (due & DUE.resume) {
      bit = DUE.resume;
      at = this.trackStart + this.pausePos + this.pauseLen;
    }
    if (due & DUE.like && this.timeAt(this.likePos) < at) {
      bit = DUE.like;
      at = this.timeAt(this.likePos);
    }
    if (due & DUE.add && this.timeAt(this.addPos) < at) {
      bit = DUE.add;
      at = this.timeAt(this.addPos);
    }
    if (due & DUE.end && this.timeAt(this.endPos) < at) {
      bit = DUE.end;
      at = this.timeAt(this.endPos);
    }
    this.due &= ~bit;
    this.at = at;
    switch (bit) {
      case DUE.pause:
        this.kind = KIND.pause;
        this.position = this.pausePos;
        break;
      case DUE.resume:
        this.kind = KIND.resume;
        this.position = this.pausePos;
        break;
      case DUE.like:
        this.kind = KIND.like;
        this.position = this.likePos;
        break;
      case DUE.add:
        this.kind = KIND.add_to_playlist;
        this.position = this.addPos;
        break;
      default:
        this.kind = this.skipping ? KIND.skip : KIND.complete;
        this.position = this.endPos;
        this.msPlayed = this.endPos;
    }
    return true;
  }

  /** Wall time of a track position, counting the pause if the position comes after it. */
  private timeAt(position: number): number {
    return this.trackStart + position + (this.pauseLen > 0 && position > this.pausePos ? this.pauseLen : 0);
  }

  private startTrack(at: number, track: number): void {
    const { catalog } = this.world;
    const rng = this.rng;
    const duration = catalog.trackDurationMs[track]!;
    this.track = track;
    this.trackStart = at;
    this.at = at;
    this.kind = KIND.play;
    this.position = 0;
    this.msPlayed = -1;

    const genre = catalog.trackGenre[track]!;
    const taste = this.listener.taste;
    const affinity = genre === taste[0] ? 0.65 : genre === taste[1] || genre === taste[2] ? 0.85 : 1.4;
    const popularity = catalog.tracks[track]!.popularity;
    const skipChance = clamp(
      0.3 *
        this.listener.skipBias *
        affinity *
        (1.25 - popularity / 200) *
        CONTEXT_SKIP_FACTOR[this.context] *
        (this.shuffle ? 1.1 : 1),
      0.02,
      0.9,
    );
    this.skipping = rng.chance(skipChance);
    if (this.skipping) {
      // Most skips come in the first seconds; the rest anywhere after the 30-second "stream" mark.
      const early = rng.chance(0.55);
      const pos = early ? 1000 + rng.exp(8000) : 30_000 + rng.float() * (duration * 0.95 - 30_000);
      this.endPos = Math.max(500, Math.min(Math.round(pos), duration - 1000));
    } else {
      this.endPos = duration;
    }
    this.due = DUE.end;
    this.pauseLen = 0;
    this.pausePos = 0;
    if (this.endPos > 20_000 && rng.chance(0.05)) {
      this.due |= DUE.pause | DUE.resume;
      this.pausePos = 5000 + rng.int(this.endPos - 10_000);
      this.pauseLen = Math.round(clamp(rng.logNormal(45_000, 1), 2000, 1_800_000));
    }
    if (this.endPos > 6000 && rng.chance(this.skipping ? 0.005 : 0.04)) {
      this.due |= DUE.like;
      this.likePos = 5000 + rng.int(this.endPos - 6000);
    }
    if (this.endPos > 6000 && rng.chance(this.skipping ? 0.003 : 0.015)) {
      this.due |= DUE.add;
      this.addPos = 5000 + rng.int(this.endPos - 6000);
    }
  }

  private enterContext(): void {
    const { catalog, seed } = this.world;
    const rng = this.rng;
    this.contextGenre = this.tasteGenre(rng.float());
    switch (this.context) {
      case 'playlist': {
        // A listener has a dozen playlists; each is a fixed, seed-derived track list.
        this.playlistSeed = hash32(seed, this.listener.index, 0x9a7, rng.int(12));
        this.playlistLength = 20 + (this.playlistSeed % 180);
        this.cursor = rng.int(this.playlistLength);
        this.contextId = flat(`pl${this.playlistSeed.toString(36)}u${this.listener.index.toString(36)}`);
        break;
      }
      case 'album': {
        const seedTrack = this.genreTrack(this.contextGenre, rng.float());
        const album = catalog.trackAlbum[seedTrack]!;
        this.cursor = catalog.albumFirstTrack[album]!;
        this.contextId = catalog.albums[album]!.album_id;
        break;
      }
      case 'artist': {
        this.contextArtist = catalog.trackArtist[this.genreTrack(this.contextGenre, rng.float())]!;
        this.contextId = catalog.artists[this.contextArtist]!.artist_id;
        break;
      }
      case 'radio':
        this.contextId = `radio-${GENRE_NAMES[this.contextGenre]}`;
        break;
      case 'search':
        this.contextId = null;
        break;
    }
    this.buildTail();
  }

  private buildTail(): void {
    this.tailJson = flat(
      `"device_type":"${DEVICE_TYPES[this.device]}","country":"${this.listener.country}",` +
        `"context_type":"${this.context}","context_id":${this.contextId === null ? 'null' : `"${this.contextId}"`},` +
        `"source":"simulator","shuffle":${this.shuffle},"offline":${this.offline}`,
    );
  }

  private firstTrack(): number {
    return this.context === 'album' ? this.cursor : this.nextTrack();
  }

  private nextTrack(): number {
    const { catalog } = this.world;
    const rng = this.rng;
    switch (this.context) {
      case 'playlist': {
        const slot = this.shuffle ? rng.int(this.playlistLength) : this.cursor++ % this.playlistLength;
        const h = hash32(this.playlistSeed, slot);
        return this.genreTrack(this.tasteGenre(unit(hash32(h, 1))), unit(h));
      }
      case 'album': {
        const album = catalog.trackAlbum[this.track]!;
        const first = catalog.albumFirstTrack[album]!;
        const count = catalog.albumTrackCount[album]!;
        if (this.shuffle) return first + rng.int(count);
        const next = this.track + 1;
        if (next < first + count) return next;
        // The album is over: autoplay carries on with radio in its genre.
        this.context = 'radio';
        this.contextGenre = catalog.trackGenre[this.track]!;
        this.contextId = `radio-${GENRE_NAMES[this.contextGenre]}`;
        this.buildTail();
        return this.genreTrack(this.contextGenre, rng.float());
      }
      case 'artist': {
        const first = catalog.artistFirstTrack[this.contextArtist]!;
        const count = catalog.artistTrackCount[this.contextArtist]!;
        return first + catalog.withinArtist.pickAmongFirst(rng.float(), count);
      }
      case 'radio':
        return this.genreTrack(
          rng.chance(0.8) ? this.contextGenre : this.tasteGenre(rng.float()),
          rng.float(),
        );
      case 'search':
        return catalog.anyTrack.pick(rng.float());
    }
  }

  private tasteGenre(u: number): number {
    const taste = this.listener.taste;
    return u < TASTE_SHARES[0] ? taste[0] : u < TASTE_SHARES[0] + TASTE_SHARES[1] ? taste[1] : taste[2];
  }

  private genreTrack(genre: number, u: number): number {
    const pool = this.world.catalog.genreTracks[genre]!;
    return pool.ids[pool.sampler.pick(u)]!;
  }
}

function pickDevice(listener: Listener, hour: number, weekend: boolean, rng: Rng): number {
  if (rng.chance(0.7)) return listener.primaryDevice;
  const u = rng.float();
  const index = (name: (typeof DEVICE_TYPES)[number]) => DEVICE_TYPES.indexOf(name);
  if (!weekend && (hour === 7 || hour === 8 || hour === 17 || hour === 18)) {
    return index(u < 0.4 ? 'car' : 'mobile');
  }
  if (!weekend && hour >= 9 && hour <= 16) return index(u < 0.5 ? 'desktop' : u < 0.8 ? 'web' : 'mobile');
  if (hour >= 19 && hour <= 23) {
    return index(u < 0.25 ? 'tv' : u < 0.5 ? 'smart_speaker' : u < 0.6 ? 'console' : 'mobile');
  }
  return index(u < 0.7 ? 'mobile' : u < 0.85 ? 'tablet' : 'smart_speaker');
}

function pickContext(device: (typeof DEVICE_TYPES)[number], rng: Rng): Context {
  const u = rng.float();
  if (device === 'smart_speaker') return u < 0.4 ? 'radio' : u < 0.9 ? 'playlist' : 'artist';
  return u < 0.5 ? 'playlist' : u < 0.65 ? 'album' : u < 0.77 ? 'artist' : u < 0.9 ? 'radio' : 'search';
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * A string built by concatenation is a tree of V8 "cons" strings, several times larger than its text;
 * strings a session keeps for its whole life are copied flat once (this halves a session's memory).
 */
const flat = (s: string): string => Buffer.from(s).toString();
