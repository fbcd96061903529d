import type { GroundTruth } from '@spotify-pipeline/shared';
import type { Catalog } from './catalog.js';
import { KIND, KIND_NAMES } from './session.js';
import { utcDate } from './timefmt.js';

const DAY_MS = 86_400_000;

interface DayTally {
  events: number;
  byKind: number[];
  msPlayed: number;
  seen: Uint8Array;
  listeners: number;
}

/**
 * Tallies what the simulator emitted, as it emits it. Unlike the generator itself, this costs memory per
 * listener (8 bytes, plus one bit per listener per day for daily actives), which is why it is opt-in.
 */
export class GroundTruthRecorder {
  private readonly byKind = new Array<number>(KIND_NAMES.length).fill(0);
  private readonly msByListener: Float64Array;
  private readonly trackPlays: Uint32Array;
  private readonly trackCompletes: Uint32Array;
  private readonly trackSkips: Uint32Array;
  private readonly trackMs: Float64Array;
  private readonly days = new Map<number, DayTally>();
  private events = 0;
  private firstAt = Number.POSITIVE_INFINITY;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly catalog: Catalog,
    private readonly listenerCount: number,
  ) {
    this.msByListener = new Float64Array(listenerCount);
    const n = catalog.tracks.length;
    this.trackPlays = new Uint32Array(n);
    this.trackCompletes = new Uint32Array(n);
    this.trackSkips = new Uint32Array(n);
    this.trackMs = new Float64Array(n);
  }

  record(kind: number, at: number, listener: number, track: number, msPlayed: number): void {
    this.events += 1;
    this.byKind[kind]! += 1;
    if (at < this.firstAt) this.firstAt = at;
    if (at > this.lastAt) this.lastAt = at;
    const dayNumber = Math.floor(at / DAY_MS);
    let day = this.days.get(dayNumber);
    if (!day) {
      day = {
        events: 0,
        byKind: new Array<number>(KIND_NAMES.length).fill(0),
        msPlayed: 0,
        seen: new Uint8Array((this.listenerCount + 7) >> 3),
        listeners: 0,
      };
      this.days.set(dayNumber, day);
    }
    day.events += 1;
    day.byKind[kind]! += 1;
    const bit = 1 << (listener & 7);
    if (!(day.seen[listener >> 3]! & bit)) {
      day.seen[listener >> 3]! |= bit;
      day.listeners += 1;
    }
    if (kind === KIND.play) this.trackPlays[track]! += 1;
    if (msPlayed >= 0) {
      day.msPlayed += msPlayed;
      this.msByListener[listener]! += msPlayed;
      this.trackMs[track]! += msPlayed;
      if (kind === KIND.complete) this.trackCompletes[track]! += 1;
      else this.trackSkips[track]! += 1;
    }
  }

  summarize(settings: Record<string, unknown>, window: { from: number; to: number }, top = 100): GroundTruth {
    const { catalog } = this;
    const byListener: Record<string, number> = {};
    let listeners = 0;
    let msPlayed = 0;
    for (let i = 0; i < this.msByListener.length; i++) {
      const ms = this.msByListener[i]!;
      msPlayed += ms;
      if (ms > 0) byListener[`u${i}`] = ms;
    }
    const active = new Uint8Array((this.listenerCount + 7) >> 3);
    for (const day of this.days.values()) for (let i = 0; i < active.length; i++) active[i]! |= day.seen[i]!;
    for (const byte of active) listeners += popcount(byte);

    const trackOrder = [...this.trackPlays.keys()]
      .filter((t) => this.trackPlays[t]! > 0)
      .sort(
        (a, b) =>
          this.trackPlays[b]! - this.trackPlays[a]! ||
          cmp(catalog.tracks[a]!.track_id, catalog.tracks[b]!.track_id),
      );
    const artistPlays = new Map<number, { plays: number; ms: number }>();
    for (let t = 0; t < this.trackPlays.length; t++) {
      if (this.trackPlays[t] === 0 && this.trackMs[t] === 0) continue;
      const a = catalog.trackArtist[t]!;
      const tally = artistPlays.get(a) ?? { plays: 0, ms: 0 };
      tally.plays += this.trackPlays[t]!;
      tally.ms += this.trackMs[t]!;
      artistPlays.set(a, tally);
    }
    const artistOrder = [...artistPlays.entries()].sort(
      ([a, x], [b, y]) =>
        y.plays - x.plays || cmp(catalog.artists[a]!.artist_id, catalog.artists[b]!.artist_id),
    );

    return {
      schema_version: 1,
      source: 'simulator',
      settings,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      events: this.events,
      events_by_type: kindRecord(this.byKind),
      ms_played: msPlayed,
      listeners,
      days: [...this.days.entries()]
        .sort(([a], [b]) => a - b)
        .map(([day, tally]) => ({
          date: utcDate(day * DAY_MS),
          events: tally.events,
          events_by_type: kindRecord(tally.byKind),
          listeners: tally.listeners,
          ms_played: tally.msPlayed,
        })),
      ms_played_by_listener: byListener,
      top_tracks: trackOrder.slice(0, top).map((t) => {
        const track = catalog.tracks[t]!;
        const artist = catalog.artists[catalog.trackArtist[t]!]!;
        return {
          track_id: track.track_id,
          track_name: track.name,
          artist_id: artist.artist_id,
          artist_name: artist.name,
          plays: this.trackPlays[t]!,
          completes: this.trackCompletes[t]!,
          skips: this.trackSkips[t]!,
          ms_played: this.trackMs[t]!,
        };
      }),
      top_artists: artistOrder.slice(0, top).map(([a, tally]) => ({
        artist_id: catalog.artists[a]!.artist_id,
        artist_name: catalog.artists[a]!.name,
        plays: tally.plays,
        ms_played: tally.ms,
      })),
    };
  }
}

function kindRecord(counts: number[]): GroundTruth['events_by_type'] {
  return Object.fromEntries(KIND_NAMES.map((name, i) => [name, counts[i]!]));
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
