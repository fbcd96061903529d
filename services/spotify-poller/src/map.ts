import type { ContextType, CountryCode, DeviceType, ListeningEvent } from '@spotify-pipeline/shared';
import { CONTEXT_TYPES, nameBasedUuid } from '@spotify-pipeline/shared';
import type { PlayedItem } from './spotify-client.js';

const NAMESPACE = 'a3d3c1f2-58e4-4b0f-8a3e-5d2b9c7e4f10';
export const SESSION_GAP_MS = 30 * 60_000;

export interface ListenerProfile {
  userId: string;
  /** recently-played says nothing about where or on what a track played: these come from configuration. */
  country: CountryCode | null;
  device: DeviceType;
}

/** Where the previous poll left the listener's session, so a session can span polls. */
export interface SessionState {
  lastEndMs: number | null;
  sessionId: string | null;
}

/**
 * Turns recently-played items into contract events. Each item becomes a `play` at `played_at - duration`
 * and a `complete` at `played_at` with `ms_played = duration`: the endpoint lists only plays Spotify
 * counted, and says nothing about skips or pauses. Ids are name-based on (user, played_at, track), so
 * polling an overlapping window again yields the same ids.
 */
export function mapItems(
  items: PlayedItem[],
  listener: ListenerProfile,
  session: SessionState,
): { events: ListeningEvent[]; session: SessionState; skipped: number } {
  const events: ListeningEvent[] = [];
  let skipped = 0;
  let { lastEndMs, sessionId } = session;
  const ordered = [...items].sort((a, b) => Date.parse(a.played_at) - Date.parse(b.played_at));
  for (const item of ordered) {
    const endMs = Date.parse(item.played_at);
    const track = item.track;
    const artist = track.artists[0];
    if (!track.id || !artist || Number.isNaN(endMs)) {
      skipped += 1; // local files have no track id; nothing downstream could join them
      continue;
    }
    const startMs = endMs - track.duration_ms;
    const base = `${listener.userId}|${new Date(endMs).toISOString()}|${track.id}`;
    if (sessionId === null || lastEndMs === null || startMs - lastEndMs > SESSION_GAP_MS) {
      sessionId = nameBasedUuid(NAMESPACE, `session|${base}`);
    }
    lastEndMs = endMs;
    const context = contextOf(item.context);
    const common = {
      schema_version: 1 as const,
      user_id: listener.userId,
      session_id: sessionId,
      track_id: track.id,
      track_name: track.name,
      artist_id: artist.id ?? artist.name,
      artist_name: artist.name,
      album_id: track.album?.id ?? null,
      album_name: track.album?.name ?? null,
      duration_ms: track.duration_ms,
      device_type: listener.device,
      country: listener.country,
      context_type: context.type,
      context_id: context.id,
      source: 'spotify_api' as const,
    };
    events.push(
      {
        event_id: nameBasedUuid(NAMESPACE, `${base}|play`),
        event_type: 'play',
        event_ts: new Date(startMs).toISOString(),
        ...common,
        position_ms: 0,
      },
      {
        event_id: nameBasedUuid(NAMESPACE, `${base}|complete`),
        event_type: 'complete',
        event_ts: new Date(endMs).toISOString(),
        ...common,
        position_ms: track.duration_ms,
        ms_played: track.duration_ms,
      },
    );
  }
  return { events, session: { lastEndMs, sessionId }, skipped };
}

function contextOf(context: PlayedItem['context']): { type: ContextType | null; id: string | null } {
  if (!context) return { type: null, id: null };
  const id = context.uri.split(':').at(-1) || null;
  // "collection" (Liked Songs) behaves like a playlist; shows and other kinds have no contract type.
  const type = context.type === 'collection' ? 'playlist' : context.type;
  return (CONTEXT_TYPES as readonly string[]).includes(type)
    ? { type: type as ContextType, id }
    : { type: null, id: null };
}
