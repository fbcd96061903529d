import { z } from 'zod';
import { EVENT_TYPES } from './listening-event.js';

const count = z.number().int().nonnegative();
const eventCounts = z.partialRecord(z.enum(EVENT_TYPES), count);

/**
 * What a generator knows it produced, so that every later stage can check its numbers against it.
 * Minutes listened are `ms_played / 60000`, summed over skip and complete events (the contract's rule);
 * the summary keeps milliseconds so that comparisons are exact. Days are UTC dates of `event_ts`.
 */
export const groundTruthSchema = z
  .object({
    schema_version: z.literal(1),
    source: z.string(),
    settings: z.record(z.string(), z.unknown()),
    /** Event-time window the events fall in: [from, to). */
    from: z.string(),
    to: z.string(),
    events: count,
    events_by_type: eventCounts,
    ms_played: count,
    /** Listeners with at least one event. */
    listeners: count,
    days: z.array(
      z.object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        events: count,
        events_by_type: eventCounts,
        /** Distinct listeners with an event that day (daily active users). */
        listeners: count,
        ms_played: count,
      }),
    ),
    /** user_id -> milliseconds played over the whole window. */
    ms_played_by_listener: z.record(z.string(), count),
    /** By number of play events, then track_id; `plays` counts play events, `ms_played` skip+complete. */
    top_tracks: z.array(
      z.object({
        track_id: z.string(),
        track_name: z.string(),
        artist_id: z.string(),
        artist_name: z.string(),
        plays: count,
        completes: count,
        skips: count,
        ms_played: count,
      }),
    ),
    top_artists: z.array(
      z.object({ artist_id: z.string(), artist_name: z.string(), plays: count, ms_played: count }),
    ),
  })
  .strict();

export type GroundTruth = z.infer<typeof groundTruthSchema>;
