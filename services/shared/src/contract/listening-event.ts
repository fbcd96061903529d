import { z } from 'zod';
import { COUNTRY_CODES } from './countries.js';
import { ISO_UTC_MILLIS_EXAMPLE, timestampProblem } from './timestamp.js';

export const EVENT_TYPES = [
  'play',
  'pause',
  'resume',
  'skip',
  'complete',
  'like',
  'add_to_playlist',
] as const;
export const DEVICE_TYPES = [
  'mobile',
  'desktop',
  'web',
  'tablet',
  'smart_speaker',
  'tv',
  'car',
  'console',
] as const;
export const CONTEXT_TYPES = ['playlist', 'album', 'artist', 'search', 'radio'] as const;
export const EVENT_SOURCES = ['simulator', 'spotify_api', 'history_import'] as const;

/** Largest serialized event a source may publish; anything bigger is dead-lettered. */
export const MAX_EVENT_BYTES = 16 * 1024;

/** Longest id (user, session, track, artist, album, context) and longest name, in UTF-16 units. */
export const MAX_ID_CHARS = 256;
export const MAX_NAME_CHARS = 1024;
/** Longest duration, position or time played: a day. Anything longer is a unit error (µs, not ms). */
export const MAX_MS = 86_400_000;

/**
 * Patterns shared with the warehouse checks (generated into dbt), so written in the syntax every engine's
 * regular expressions read the same way: `[0-9]`, no `\\d`, no lookaround.
 */
export const EVENT_ID_PATTERN =
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
export const EVENT_TS_PATTERN = '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text every warehouse stores as it is: no NUL (PostgreSQL cannot hold it), no lone surrogate. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      if (s.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'must not hold a NUL character' });
      else if (LONE_SURROGATE.test(s))
        ctx.addIssue({ code: 'custom', message: 'must not hold a lone surrogate' });
    });
const id = text(MAX_ID_CHARS).min(1);
const milliseconds = z.int().min(0).max(MAX_MS);

const countryError = (issue: { input?: unknown }) =>
  issue.input === 'UK'
    ? 'UK is not ISO-3166-1: use GB'
    : 'must be an assigned ISO-3166-1 alpha-2 code such as GB, or null when unknown';

/** Listening event, schema version 1. The Kafka key is `user_id`; `event_id` is the deduplication key everywhere. */
export const listeningEventSchema = z
  .object({
    schema_version: z.literal(1),
    event_id: z
      .string()
      .regex(new RegExp(`^(${EVENT_ID_PATTERN})$`), 'must be a UUID (RFC 9562, versions 1-8)'),
    event_type: z.enum(EVENT_TYPES),
    event_ts: z
      .string()
      .regex(
        new RegExp(`^${EVENT_TS_PATTERN}$`),
        `must be ISO-8601 UTC with milliseconds, e.g. ${ISO_UTC_MILLIS_EXAMPLE}`,
      )
      .superRefine((value, ctx) => {
        const problem = timestampProblem(value);
        if (problem && !problem.startsWith('must be')) ctx.addIssue({ code: 'custom', message: problem });
      }),
    user_id: id,
    session_id: id,
    track_id: id,
    track_name: text(MAX_NAME_CHARS),
    artist_id: id,
    artist_name: text(MAX_NAME_CHARS),
    album_id: id.nullable(),
    album_name: text(MAX_NAME_CHARS).nullable(),
    duration_ms: milliseconds,
    position_ms: milliseconds,
    ms_played: milliseconds.optional(),
    device_type: z.enum(DEVICE_TYPES),
    country: z.enum(COUNTRY_CODES, { error: countryError }).nullable(),
    context_type: z.enum(CONTEXT_TYPES).nullable(),
    context_id: id.nullable(),
    source: z.enum(EVENT_SOURCES),
    shuffle: z.boolean().optional(),
    offline: z.boolean().optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if ((event.event_type === 'skip' || event.event_type === 'complete') && event.ms_played === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ms_played'], message: `is required on ${event.event_type}` });
    }
    if (event.position_ms > event.duration_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['position_ms'],
        message: `${event.position_ms} is past the end of the track (duration_ms ${event.duration_ms})`,
      });
    }
  });

/** The contract's fields in order: the bronze table's columns, the Parquet schema, the JSON Schema. */
export const LISTENING_EVENT_FIELDS = Object.keys(listeningEventSchema.shape) as ReadonlyArray<
  keyof typeof listeningEventSchema.shape
>;

export type ListeningEvent = z.infer<typeof listeningEventSchema>;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export type ContextType = (typeof CONTEXT_TYPES)[number];
