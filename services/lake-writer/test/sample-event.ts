import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENT_TIME_WINDOW, type ListeningEvent } from '@spotify-pipeline/shared';
import type { IntakeContext } from '../src/lake-line.js';

/**
 * A contract-valid listening event of realistic size (~480 bytes of JSON) for tests and the benchmark;
 * the real source is the simulator, which this package does not depend on.
 */
export function sampleEvent(overrides: Partial<ListeningEvent> = {}): ListeningEvent {
  const n = Math.floor(Math.random() * 1_000_000);
  return {
    schema_version: 1,
    event_id: randomUUID(),
    event_type: 'complete',
    event_ts: new Date().toISOString(),
    user_id: `user-${n % 50_000}`,
    session_id: `session-${n % 50_000}-${Math.floor(n / 7)}`,
    track_id: `spotify:track:${(n * 7919).toString(36).padStart(22, '0')}`,
    track_name: 'Midnight City (Extended Mix)',
    artist_id: `spotify:artist:${(n % 997).toString(36).padStart(22, '0')}`,
    artist_name: 'M83',
    album_id: `spotify:album:${(n % 4999).toString(36).padStart(22, '0')}`,
    album_name: "Hurry Up, We're Dreaming",
    duration_ms: 243_960,
    position_ms: 243_960,
    ms_played: 201_345,
    device_type: 'mobile',
    country: 'GB',
    context_type: 'playlist',
    context_id: 'spotify:playlist:37i9dQZF1DXcBWIGoYBM5M',
    source: 'simulator',
    shuffle: false,
    offline: false,
    ...overrides,
  };
}

/** The intake context of a record taken at `iso` under the contract's default event-time window. */
export function intakeAt(iso: string): IntakeContext {
  return { ingestedAt: iso, now: Date.parse(iso), window: DEFAULT_EVENT_TIME_WINDOW };
}
