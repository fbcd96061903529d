import type { z } from 'zod';
import { albumSchema, artistSchema, trackSchema } from './catalog.js';
import { type ListeningEvent, listeningEventSchema, MAX_EVENT_BYTES } from './listening-event.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One short, readable line from zod's issues: `event_ts: must be ISO-8601 ...; country: ...`. */
export function formatIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(record)';
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return `${path}: ${missing ? `is required (${issue.expected})` : issue.message}`;
  });
  const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

function check<T>(schema: z.ZodType<T>, value: unknown): Validation<T> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: formatIssues(result.error) };
}

/** Validates a parsed object, naming an unknown schema version before anything else. */
export function validateListeningEvent(value: unknown): Validation<ListeningEvent> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'record is not a JSON object' };
  }
  const version = (value as { schema_version?: unknown }).schema_version;
  if (version !== 1) {
    return {
      ok: false,
      reason: `unknown schema_version ${JSON.stringify(version ?? null)}: this build reads version 1`,
    };
  }
  return check(listeningEventSchema, value);
}

/** Parses and validates raw bytes as they arrive from Kafka or a file. */
export function decodeListeningEvent(bytes: Buffer | string): Validation<ListeningEvent> {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_EVENT_BYTES)
    return { ok: false, reason: `record is ${size} bytes; the limit is ${MAX_EVENT_BYTES}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  return validateListeningEvent(parsed);
}

export const validateArtist = (value: unknown) => check(artistSchema, value);
export const validateAlbum = (value: unknown) => check(albumSchema, value);
export const validateTrack = (value: unknown) => check(trackSchema, value);
