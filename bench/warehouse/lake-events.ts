import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { ObjectStoreClient } from '@spotify-pipeline/shared/object-store';

const gzipAsync = promisify(gzip);
const DEVICES = ['mobile', 'desktop', 'web', 'tablet', 'smart_speaker', 'tv', 'car', 'console'];
const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'BR', 'JP', 'SE', 'IN', 'MX', 'ES'];
const TOPIC = 'listening-events';

/**
 * Writes `events` contract-shaped listening events into the lake as the lake writer would (objects of
 * `perObject` lines, contract names, gzip JSON Lines with the `_` metadata), fast: lines are built as
 * strings, since the point is to measure the warehouse side, not this generator.
 */
export async function writeBenchLake(params: {
  store: ObjectStoreClient;
  bucket: string;
  events: number;
  perObject: number;
  /** Index of the first event (ids, offsets and object keys follow it), to add events to an existing lake. */
  firstEvent?: number;
  /** Events the 30-day span is spread over (default `events`); events past it fall after the span. */
  spreadOver?: number;
  users?: number;
  tracks?: number;
  onProgress?: (written: number) => void;
}): Promise<{ objects: number; bytes: number }> {
  const firstEvent = params.firstEvent ?? 0;
  const spreadOver = params.spreadOver ?? params.events;
  const users = params.users ?? Math.max(1000, Math.floor(spreadOver / 100));
  const tracks = params.tracks ?? 50_000;
  const start = Date.UTC(2026, 9, 1);
  const span = 30 * 86_400_000;
  // Late enough that events past the span (an added day or two) are still within the contract's window.
  const ingested = new Date(start + 2 * span).toISOString();
  let bytes = 0;
  let objects = 0;
  const uploads: Array<Promise<void>> = [];
  const end = firstEvent + params.events;
  for (let first = firstEvent; first < end; first += params.perObject) {
    const last = Math.min(first + params.perObject, end) - 1;
    const lines: string[] = [];
    for (let i = first; i <= last; i++) {
      // Events come in (play, end) pairs of one user and session; a third of plays are skipped.
      const play = i >> 1;
      const isPlay = (i & 1) === 0;
      const user = (play * 7919) % users;
      const track = Math.floor(tracks * (((play * 2654435761) % 1_000_003) / 1_000_003) ** 2);
      const artist = track % 5000;
      const duration = 120_000 + (track % 180) * 1000;
      const skipped = play % 3 === 0;
      const msPlayed = skipped ? Math.floor(duration / 4) : duration;
      const ts = new Date(
        start + Math.floor((play / (spreadOver / 2)) * span) + (isPlay ? 0 : msPlayed),
      ).toISOString();
      const type = isPlay ? 'play' : skipped ? 'skip' : 'complete';
      const played = isPlay ? '' : `"ms_played":${msPlayed},`;
      lines.push(
        `{"schema_version":1,"event_id":"00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}","event_type":"${type}","event_ts":"${ts}","user_id":"user-${user}","session_id":"session-${user}-${Math.floor(play / 50)}","track_id":"track-${track}","track_name":"Track ${track}","artist_id":"artist-${artist}","artist_name":"Artist ${artist}","album_id":"album-${track >> 3}","album_name":"Album ${track >> 3}","duration_ms":${duration},"position_ms":${isPlay ? 0 : msPlayed},${played}"device_type":"${DEVICES[user % DEVICES.length]}","country":"${COUNTRIES[user % COUNTRIES.length]}","context_type":"playlist","context_id":"playlist-${user % 97}","source":"simulator","shuffle":false,"_topic":"${TOPIC}","_partition":0,"_offset":${i},"_ingested_at":"${ingested}"}`,
      );
    }
    const firstTs = new Date(start + Math.floor(((first >> 1) / (spreadOver / 2)) * span)).toISOString();
    const key = `bronze/${TOPIC}/date=${firstTs.slice(0, 10)}/hour=${firstTs.slice(11, 13)}/${TOPIC}+0+${first}-${last}.jsonl.gz`;
    const body = await gzipAsync(`${lines.join('\n')}\n`, { level: constants.Z_BEST_SPEED });
    bytes += body.length;
    objects++;
    uploads.push(params.store.putObject(params.bucket, key, body).then(() => undefined));
    if (uploads.length >= 4) await uploads.shift();
    params.onProgress?.(last + 1 - firstEvent);
  }
  await Promise.all(uploads);
  return { objects, bytes };
}
