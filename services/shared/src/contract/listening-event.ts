import { z } from 'zod';

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

const isoUtcMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const nonNegativeInt = z.number().int().nonnegative();
const id = z.string().min(1).max(256);

/** Listening event, schema version 1. The Kafka key is `user_id`; `event_id` is the deduplication key everywhere. */
export const listeningEventSchema = z
  .object({
    schema_version: z.literal(1),
    event_id: z.uuid(),
    event_type: z.enum(EVENT_TYPES),
    event_ts: z
      .string()
      .regex(isoUtcMillis, 'must be ISO-8601 UTC with milliseconds, e.g. 2026-01-31T23:59:59.123Z')
      .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date'),
    user_id: id,
    session_id: id,
    track_id: id,
    track_name: z.string().max(1024),
    artist_id: id,
    artist_name: z.string().max(1024),
    album_id: id.nullable(),
    album_name: z.string().max(1024).nullable(),
    duration_ms: nonNegativeInt,
    position_ms: nonNegativeInt,
    ms_played: nonNegativeInt.optional(),
    device_type: z.enum(DEVICE_TYPES),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166-1 alpha-2 code such as GB'),
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
    if (event.country === 'UK') {
      ctx.addIssue({ code: 'custom', path: ['country'], message: 'UK is not ISO-3166-1: use GB' });
    }
  });

export type ListeningEvent = z.infer<typeof listeningEventSchema>;
export type EventType = (typeof EVENT_TYPES)[number];
export type DeviceType = (typeof DEVICE_TYPES)[number];
export type ContextType = (typeof CONTEXT_TYPES)[number];
export type EventSource = (typeof EVENT_SOURCES)[number];
