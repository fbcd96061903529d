import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { describeError, describeValue, MAX_REASON_CHARS, printable } from '../describe.js';
import { type Album, type Artist, albumSchema, artistSchema, type Track, trackSchema } from './catalog.js';
import { inspectParsedJsonText } from './json-text-parsed.js';
import { type ListeningEvent, listeningEventSchema, MAX_EVENT_BYTES } from './listening-event.js';
import { isPlainlyValidEvent } from './plainly-valid-event.js';
import type { CatalogKind } from './topics.js';

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

/** Events are accepted from `earliest` up to `maxAheadMs` past the validating clock (late and early ones included). */
export interface EventTimeWindowSettings {
  earliest: string;
  maxAheadMs: number;
}

/** Spotify started in 2008: an earlier listening event is a broken clock. A day ahead covers skewed devices. */
export const DEFAULT_EVENT_TIME_WINDOW: EventTimeWindowSettings = {
  earliest: '2008-01-01T00:00:00.000Z',
  maxAheadMs: 86_400_000,
};

export interface ValidationOptions {
  /** The validating clock, in ms (the lake writer passes its ingestion time). */
  now?: number;
  window?: EventTimeWindowSettings;
}

/** Validates a parsed object, naming an unknown schema version before anything else. */
export function validateListeningEvent(
  value: unknown,
  options: ValidationOptions = {},
): Validation<ListeningEvent> {
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
  const result: Validation<ListeningEvent> = isPlainlyValidEvent(value)
    ? { ok: true, value }
    : check(listeningEventSchema, value);
  if (!result.ok) return result;
  const window = options.window ?? DEFAULT_EVENT_TIME_WINDOW;
  const at = Date.parse(result.value.event_ts);
  const latest = (options.now ?? Date.now()) + window.maxAheadMs;
  if (at < Date.parse(window.earliest) || at > latest)
    return {
      ok: false,
      reason: `event_ts: ${result.value.event_ts} is outside the plausible window ${window.earliest} .. ${new Date(latest).toISOString()}`,
    };
  return result;
}

/**
 * Parses and validates raw bytes as they arrive from Kafka or a file. `text` is the same bytes already decoded,
 * when the caller has them, so they are decoded once. Beyond the schema, the text itself must be what every
 * warehouse reads the same way: valid UTF-8, no repeated key, integers written as integers.
 */
export function decodeListeningEvent(
  bytes: Buffer | string,
  text?: string,
  options: ValidationOptions = {},
): Validation<ListeningEvent> {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_EVENT_BYTES)
    return { ok: false, reason: `record is ${size} bytes; the limit is ${MAX_EVENT_BYTES}` };
  if (typeof bytes !== 'string' && !isUtf8(bytes)) return { ok: false, reason: 'not valid UTF-8' };
  const source = text ?? (typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${describeError(err, 200)}` };
  }
  const result = validateListeningEvent(parsed, options);
  if (!result.ok) return result;
  const problem = inspectParsedJsonText(source, parsed, { maxDepth: 64, numbers: 'integer' });
  return problem ? { ok: false, reason: problem.message } : result;
}

export const validateArtist = (value: unknown) => check(artistSchema, value);
export const validateAlbum = (value: unknown) => check(albumSchema, value);
export const validateTrack = (value: unknown) => check(trackSchema, value);

const CATALOG_SCHEMAS = { artists: artistSchema, albums: albumSchema, tracks: trackSchema } as const;

/**
 * Parses and validates one catalog record's bytes (an artist, album or track, as `kind` says), with the
 * same text rules as events except that numbers may be decimals (a track's popularity).
 */
export function decodeCatalogRecord(
  kind: CatalogKind,
  bytes: Buffer,
  text: string,
): Validation<Artist | Album | Track> {
  if (bytes.length > MAX_EVENT_BYTES)
    return { ok: false, reason: `record is ${bytes.length} bytes; the limit is ${MAX_EVENT_BYTES}` };
  if (!isUtf8(bytes)) return { ok: false, reason: 'not valid UTF-8' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${describeError(err, 200)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'record is not a JSON object' };
  const result = check<Artist | Album | Track>(CATALOG_SCHEMAS[kind], parsed);
  if (!result.ok) return result;
  const problem = inspectParsedJsonText(text, parsed, { maxDepth: 2, numbers: 'canonical' });
  return problem ? { ok: false, reason: problem.message } : result;
}
