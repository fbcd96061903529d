import type { z } from 'zod';
import { describeError, describeValue, MAX_REASON_CHARS, printable } from '../describe.js';
import { albumSchema, artistSchema, trackSchema } from './catalog.js';
import { type ListeningEvent, listeningEventSchema, MAX_EVENT_BYTES } from './listening-event.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * One short, readable line from zod's issues: `event_ts: must be ISO-8601 ...; country: ...`. Bounded and
 * printable whatever the input held (a key of 10,000 characters, control characters), and never throws.
 */
export function formatIssues(error: z.ZodError, max = 5, maxChars = MAX_REASON_CHARS): string {
  try {
    const parts = error.issues.slice(0, max).map((issue) => {
      const path = issue.path.length ? issue.path.map((p) => printable(String(p), 60)).join('.') : '(record)';
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
      return `${path}: ${missing ? `is required (${issue.expected})` : printable(issue.message, 200)}`;
    });
    const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : '';
    return printable(parts.join('; ') + more, maxChars);
  } catch (err) {
    return `the record breaks the contract (its issues could not be listed: ${describeError(err, 100)})`;
  }
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
      reason: `unknown schema_version ${describeValue(version ?? null)}: this build reads version 1`,
    };
  }
  return check(listeningEventSchema, value);
}

/**
 * Parses and validates raw bytes as they arrive from Kafka or a file. `text` is the same bytes already decoded,
 * when the caller has them, so they are decoded once.
 */
export function decodeListeningEvent(bytes: Buffer | string, text?: string): Validation<ListeningEvent> {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_EVENT_BYTES)
    return { ok: false, reason: `record is ${size} bytes; the limit is ${MAX_EVENT_BYTES}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? (typeof bytes === 'string' ? bytes : bytes.toString('utf8')));
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${describeError(err, 200)}` };
  }
  return validateListeningEvent(parsed);
}

export const validateArtist = (value: unknown) => check(artistSchema, value);
export const validateAlbum = (value: unknown) => check(albumSchema, value);
export const validateTrack = (value: unknown) => check(trackSchema, value);
