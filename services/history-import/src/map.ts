import { createHash } from 'node:crypto';
import {
  assignedCountryOrNull,
  formatIssues,
  type ListeningEvent,
  nameBasedUuid,
} from '@spotify-pipeline/shared';
import { deviceFromPlatform, type ExportRow, exportRowSchema } from './export-row.js';

export interface ImportCounts {
  rows: number;
  /** Rows that became a play and a skip/complete event. */
  plays: number;
  events: number;
  podcast: number;
  empty: number;
  incognito: number;
  rejected: number;
}

export interface MappedRows {
  events: ListeningEvent[];
  rejected: Array<{ original: string; reason: string }>;
  counts: ImportCounts;
}

export interface MapOptions {
  /** The listener the export belongs to; rows' own `username` is used when this is absent. */
  userId?: string;
  /** Private-session plays are left out by default, as Spotify leaves them out of Wrapped. */
  includeIncognito?: boolean;
}

/** Plays further apart than this start a new session (the export has no session ids). */
export const SESSION_GAP_MS = 30 * 60_000;

// The importer's namespace for name-based (version 5) event ids: the same row always gets the same id.
const NAMESPACE = '7c1e5a44-a0b9-4f0e-9d8c-2b7f3e6a1d59';

export const stableUuid = (name: string): string => nameBasedUuid(NAMESPACE, name);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The export names artists and albums but gives no ids: a 22-character base62 id is derived from the names,
 * so an artist gets the same id in every import (not the id Spotify's API would give it).
 */
function nameId(kind: string, ...names: string[]): string {
  const digest = createHash('sha1')
    .update(`${kind}\u0000${names.join('\u0000')}`)
    .digest();
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE62[digest[i % digest.length]! % 62];
  return id;
}

interface Play {
  row: ExportRow;
  userId: string;
  trackId: string;
  startMs: number;
  endMs: number;
  baseName: string;
}

/**
 * Turns the rows of one export file into contract events: each music row becomes a `play` at its start
 * (`ts - ms_played`) and a `skip` or `complete` at `ts` carrying `ms_played`. Event ids hash the row's
 * user, ts, track, ms_played and its position among identical rows, so re-importing a file gives the same ids.
 */
export function mapRows(rows: unknown[], options: MapOptions = {}): MappedRows {
  const counts: ImportCounts = {
    rows: rows.length,
    plays: 0,
    events: 0,
    podcast: 0,
    empty: 0,
    incognito: 0,
    rejected: 0,
  };
  const rejected: MappedRows['rejected'] = [];
  const plays: Play[] = [];
  const seen = new Map<string, number>();

  for (const raw of rows) {
    const parsed = exportRowSchema.safeParse(raw);
    if (!parsed.success) {
      rejected.push({
        original: JSON.stringify(raw) ?? String(raw),
        reason: `export row: ${formatIssues(parsed.error)}`,
      });
      continue;
    }
    const row = parsed.data;
    if (row.spotify_episode_uri || row.episode_name) {
      counts.podcast += 1;
      continue;
    }
    if (!row.spotify_track_uri) {
      counts.empty += 1;
      continue;
    }
    if (row.incognito_mode && !options.includeIncognito) {
      counts.incognito += 1;
      continue;
    }
    const userId = options.userId ?? row.username;
    if (!userId) {
      rejected.push({ original: JSON.stringify(raw), reason: 'export row has no username: pass --user' });
      continue;
    }
    const identity = `${userId}|${row.ts}|${row.spotify_track_uri}|${row.ms_played}`;
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    const endMs = Date.parse(row.ts);
    plays.push({
      row,
      userId,
      trackId: row.spotify_track_uri.slice('spotify:track:'.length),
      startMs: endMs - row.ms_played,
      endMs,
      baseName: `${identity}|${occurrence}`,
    });
  }

  plays.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || (a.baseName < b.baseName ? -1 : 1));
  const events: ListeningEvent[] = [];
  const lastEnd = new Map<string, number>();
  const sessionOf = new Map<string, string>();
  for (const play of plays) {
    const previous = lastEnd.get(play.userId);
    if (previous === undefined || play.startMs - previous > SESSION_GAP_MS) {
      sessionOf.set(play.userId, stableUuid(`session|${play.baseName}`));
    }
    lastEnd.set(play.userId, Math.max(previous ?? play.endMs, play.endMs));
    events.push(...toEvents(play, sessionOf.get(play.userId)!));
    counts.plays += 1;
  }
  counts.events = events.length;
  counts.rejected = rejected.length;
  return { events, rejected, counts };
}

function toEvents(play: Play, sessionId: string): [ListeningEvent, ListeningEvent] {
  const { row } = play;
  const artistName = row.master_metadata_album_artist_name ?? '';
  const albumName = row.master_metadata_album_album_name ?? null;
  const completed = row.reason_end === 'trackdone' && row.skipped !== true;
  const common = {
    schema_version: 1 as const,
    user_id: play.userId,
    session_id: sessionId,
    track_id: play.trackId,
    track_name: row.master_metadata_track_name ?? '',
    artist_id: nameId('artist', artistName),
    artist_name: artistName,
    album_id: albumName === null ? null : nameId('album', artistName, albumName),
    album_name: albumName,
    // The export has no track length; what was heard is the only lower bound it gives.
    duration_ms: row.ms_played,
    device_type: deviceFromPlatform(row.platform),
    // Spotify writes ZZ when it does not know the country: unknown is null in the contract.
    country: assignedCountryOrNull(row.conn_country),
    context_type: null,
    context_id: null,
    source: 'history_import' as const,
    ...(typeof row.shuffle === 'boolean' ? { shuffle: row.shuffle } : {}),
    ...(typeof row.offline === 'boolean' ? { offline: row.offline } : {}),
  };
  return [
    {
      event_id: stableUuid(`${play.baseName}|play`),
      event_type: 'play',
      event_ts: new Date(play.startMs).toISOString(),
      ...common,
      position_ms: 0,
    },
    {
      event_id: stableUuid(`${play.baseName}|end`),
      event_type: completed ? 'complete' : 'skip',
      event_ts: new Date(play.endMs).toISOString(),
      ...common,
      position_ms: row.ms_played,
      ms_played: row.ms_played,
    },
  ];
}
