import { gzipSync } from 'node:zlib';
import { TOPICS } from '@spotify-pipeline/shared';
import type { ObjectStoreClient } from '@spotify-pipeline/shared/object-store';

/**
 * A small deterministic listening dataset written the way the lake writer writes it (contract object names,
 * gzip JSON Lines with the four `_` metadata fields), with duplicates, and its ground truth computed here
 * from the generated events, independently of any SQL.
 */

export interface LakeObject {
  key: string;
  lines: string[];
}

export interface GroundTruth {
  eventsByType: Record<string, number>;
  msPlayedByListener: Record<string, number>;
  playsByTrack: Record<string, number>;
  /** Track ids by plays (desc), ties by id. */
  topTracks: string[];
  uniqueEvents: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const DEVICES = ['mobile', 'desktop', 'web', 'tablet', 'smart_speaker', 'tv', 'car', 'console'] as const;
const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'BR', 'JP', 'SE'] as const;
const GENRES = ['pop', 'rock', 'hip hop', 'jazz', 'electronic', 'classical'] as const;

export function generateDataset(options: {
  seed: number;
  users: number;
  sessionsPerUser: number;
  playsPerSession: number;
  tracks?: number;
  artists?: number;
  /** Share of event objects written a second time under another offset range (lake duplicates). */
  duplicateObjectShare?: number;
  startMs?: number;
  days?: number;
  /** First user number, so a second dataset (late arrivals) adds listeners instead of colliding. */
  firstUser?: number;
  /** First Kafka offset of every partition, so a second dataset's objects get new names. */
  firstOffset?: number;
}): { objects: LakeObject[]; truth: GroundTruth; events: number } {
  const rand = mulberry32(options.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const artistCount = options.artists ?? 12;
  const trackCount = options.tracks ?? 60;
  const startMs = options.startMs ?? Date.UTC(2026, 8, 20);
  const days = options.days ?? 45;

  const artists = Array.from({ length: artistCount }, (_, i) => ({
    artist_id: `artist-${i}`,
    name: `Artist ${i}`,
    genres: i % 4 === 3 ? [] : [GENRES[i % GENRES.length]!, pick(GENRES)],
  }));
  const tracks = Array.from({ length: trackCount }, (_, i) => ({
    track_id: `track-${i}`,
    name: `Track ${i} "live"`,
    artist: artists[Math.floor(rand() ** 1.5 * artistCount)]!,
    duration_ms: 90_000 + Math.floor(rand() * 200_000),
  }));
  // Zipf-like popularity: low track ids are played far more often.
  const pickTrack = () => tracks[Math.floor(rand() ** 2.2 * trackCount)]!;

  const events: Array<Record<string, unknown>> = [];
  const firstUser = options.firstUser ?? 0;
  for (let u = firstUser; u < firstUser + options.users; u++) {
    const user_id = `user-${u}`;
    const device_type = pick(DEVICES);
    const country = pick(COUNTRIES);
    for (let s = 0; s < options.sessionsPerUser; s++) {
      const session_id = `session-${u}-${s}`;
      let t = startMs + Math.floor(rand() * days * 86_400_000);
      for (let p = 0; p < options.playsPerSession; p++) {
        const track = pickTrack();
        const base = {
          schema_version: 1,
          user_id,
          session_id,
          track_id: track.track_id,
          track_name: track.name,
          artist_id: track.artist.artist_id,
          artist_name: track.artist.name,
          album_id: null,
          album_name: null,
          duration_ms: track.duration_ms,
          device_type,
          country,
          context_type: p % 3 === 0 ? 'playlist' : null,
          context_id: p % 3 === 0 ? `playlist-${u % 5}` : null,
          source: 'simulator',
          shuffle: rand() < 0.5,
        };
        const at = (ms: number, extra: Record<string, unknown>) =>
          events.push({ ...base, event_id: uuid(rand), event_ts: new Date(ms).toISOString(), ...extra });
        at(t, { event_type: 'play', position_ms: 0 });
        const skipped = rand() < 0.35;
        const msPlayed = skipped ? 1_000 + Math.floor(rand() * track.duration_ms * 0.6) : track.duration_ms;
        if (!skipped && rand() < 0.2) {
          const pauseAt = Math.floor(msPlayed / 2);
          at(t + pauseAt, { event_type: 'pause', position_ms: pauseAt });
          at(t + pauseAt + 5_000, { event_type: 'resume', position_ms: pauseAt });
          t += 5_000;
        }
        if (rand() < 0.1) at(t + 1_000, { event_type: 'like', position_ms: 1_000 });
        if (rand() < 0.05) at(t + 2_000, { event_type: 'add_to_playlist', position_ms: 2_000 });
        t += msPlayed;
        // The next play starts in the same millisecond the previous one ends.
        at(t, { event_type: skipped ? 'skip' : 'complete', position_ms: msPlayed, ms_played: msPlayed });
      }
    }
  }

  const truth: GroundTruth = {
    eventsByType: {},
    msPlayedByListener: {},
    playsByTrack: {},
    topTracks: [],
    uniqueEvents: events.length,
  };
  for (const e of events) {
    const type = e.event_type as string;
    truth.eventsByType[type] = (truth.eventsByType[type] ?? 0) + 1;
    if (type === 'skip' || type === 'complete') {
      const user = e.user_id as string;
      truth.msPlayedByListener[user] = (truth.msPlayedByListener[user] ?? 0) + (e.ms_played as number);
    }
    if (type === 'play') {
      const track = e.track_id as string;
      truth.playsByTrack[track] = (truth.playsByTrack[track] ?? 0) + 1;
    }
  }
  truth.topTracks = Object.entries(truth.playsByTrack)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([id]) => id);

  // Lake layout: by event hour and Kafka partition (hash of user), offsets increasing per partition.
  const topic = TOPICS.listeningEvents;
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const e of events) {
    const ts = e.event_ts as string;
    const partition = Number((e.user_id as string).split('-')[1]) % 3;
    const group = `${ts.slice(0, 10)}|${ts.slice(11, 13)}|${partition}`;
    const list = groups.get(group) ?? [];
    list.push(e);
    groups.set(group, list);
  }
  const firstOffset = options.firstOffset ?? 0;
  const nextOffset = [firstOffset, firstOffset, firstOffset];
  const objects: LakeObject[] = [];
  const ingestedAt = new Date(startMs + days * 86_400_000).toISOString();
  const writeObject = (
    date: string,
    hour: string,
    partition: number,
    batch: Array<Record<string, unknown>>,
  ) => {
    const first = nextOffset[partition]!;
    const lines = batch.map((e, i) =>
      JSON.stringify({
        ...e,
        _topic: topic,
        _partition: partition,
        _offset: first + i,
        _ingested_at: ingestedAt,
      }),
    );
    nextOffset[partition] = first + batch.length;
    objects.push({
      key: `bronze/${topic}/date=${date}/hour=${hour}/${topic}+${partition}+${first}-${first + batch.length - 1}.jsonl.gz`,
      lines,
    });
  };
  const duplicateShare = options.duplicateObjectShare ?? 0.1;
  const redelivered: Array<[string, string, number, Array<Record<string, unknown>>]> = [];
  for (const [group, batch] of [...groups.entries()].sort()) {
    const [date, hour, partition] = group.split('|') as [string, string, string];
    writeObject(date, hour, Number(partition), batch);
    if (rand() < duplicateShare) redelivered.push([date, hour, Number(partition), batch]);
  }
  // A redelivery after a lake-writer crash: the same events again, at later offsets, in another object.
  for (const [date, hour, partition, batch] of redelivered) writeObject(date, hour, partition, batch);

  const artistTopic = TOPICS.artists;
  objects.push({
    key: `bronze/${artistTopic}/date=2026-09-20/hour=00/${artistTopic}+0+${firstOffset}-${firstOffset + artists.length - 1}.jsonl.gz`,
    lines: artists.map((a, i) =>
      JSON.stringify({
        schema_version: 1,
        ...a,
        _topic: artistTopic,
        _partition: 0,
        _offset: i,
        _ingested_at: ingestedAt,
      }),
    ),
  });
  return { objects, truth, events: events.length };
}

/** Ground truth of two datasets taken together (their events are disjoint). */
export function mergeTruth(a: GroundTruth, b: GroundTruth): GroundTruth {
  const add = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const playsByTrack = add(a.playsByTrack, b.playsByTrack);
  return {
    eventsByType: add(a.eventsByType, b.eventsByType),
    msPlayedByListener: add(a.msPlayedByListener, b.msPlayedByListener),
    playsByTrack,
    topTracks: Object.entries(playsByTrack)
      .sort(([x, p], [y, q]) => q - p || (x < y ? -1 : 1))
      .map(([id]) => id),
    uniqueEvents: a.uniqueEvents + b.uniqueEvents,
  };
}

export function gzipLines(lines: readonly string[]): Buffer {
  return gzipSync(lines.length ? `${lines.join('\n')}\n` : '');
}

export async function writeLakeObjects(
  store: ObjectStoreClient,
  bucket: string,
  objects: readonly LakeObject[],
): Promise<void> {
  const queue = [...objects];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let o = queue.shift(); o; o = queue.shift())
        await store.putObject(bucket, o.key, gzipLines(o.lines));
    }),
  );
}
