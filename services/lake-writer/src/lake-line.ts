import {
  decodeListeningEvent,
  type EventTimeWindowSettings,
  MAX_EVENT_BYTES,
} from '@spotify-pipeline/shared';
import { eventHourPartition } from '@spotify-pipeline/shared/lake/layout';

export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** When and under which rules a record is taken: the same for every record of a fetched batch. */
export interface IntakeContext {
  /** ISO time written as `_ingested_at`. */
  ingestedAt: string;
  /** The same instant in ms: the event-time window is relative to it. */
  now: number;
  window: EventTimeWindowSettings;
}

export type LakeLine =
  | { ok: true; line: string; date: string; hour: string; bytes: number }
  | { ok: false; reason: string; kind: 'size' | 'json' | 'contract' };

/**
 * Validates one Kafka value against the contract and returns the JSON Lines row for the lake: the original
 * JSON text with `_topic`, `_partition`, `_offset`, `_ingested_at` spliced in before its closing brace. The
 * record is never re-serialized (that alone costs more than parsing it, see PERFORMANCE.md); splicing is
 * safe because a validated event is a strict JSON object, so it ends with `}` and has no `_` keys of its own.
 * `bytes` is the row's exact UTF-8 size, counted from the consumed bytes rather than by encoding it again.
 */
export function toLakeLine(value: Buffer | null, origin: RecordOrigin, intake: IntakeContext): LakeLine {
  if (value === null) return { ok: false, reason: 'record has no value (tombstone)', kind: 'contract' };
  const tooLarge = oversize(value);
  if (tooLarge) return tooLarge;
  // Decoded once: the same text is validated and then written.
  const raw = value.toString('utf8');
  const decoded = decodeListeningEvent(value, raw, { now: intake.now, window: intake.window });
  if (!decoded.ok) return { ok: false, reason: decoded.reason, kind: kindOf(decoded.reason) };
  return {
    ok: true,
    ...withLakeMetadata(value, raw, origin, intake),
    ...eventHourPartition(decoded.value.event_ts),
  };
}

/**
 * The row for a validated record: its text with the lake metadata spliced in before the closing brace, and
 * the row's exact UTF-8 size. `raw` is `value` decoded, and must be a strict JSON object (validated).
 */
export function withLakeMetadata(
  value: Buffer,
  raw: string,
  origin: RecordOrigin,
  intake: IntakeContext,
): { line: string; bytes: number } {
  // What trimEnd removes after a successful parse is JSON whitespace: ASCII, one byte per character.
  let text = raw.trimEnd();
  const trimmedBytes = value.length - (raw.length - text.length);
  // Raw CR/LF cannot occur inside JSON strings, so any here is insignificant whitespace; it would split the row.
  if (text.includes('\n') || text.includes('\r')) text = text.replace(/[\r\n]/g, ' ');
  const metadata = `,"_topic":${JSON.stringify(origin.topic)},"_partition":${origin.partition},"_offset":${origin.offset},"_ingested_at":"${intake.ingestedAt}"}`;
  return { line: `${text.slice(0, -1)}${metadata}`, bytes: trimmedBytes - 1 + metadata.length };
}

/** A record over the contract's size limit, refused before it is decoded; null when it fits. */
export function oversize(value: Buffer): Extract<LakeLine, { ok: false }> | null {
  if (value.length <= MAX_EVENT_BYTES) return null;
  return {
    ok: false,
    reason: `record is ${value.length} bytes; the limit is ${MAX_EVENT_BYTES}`,
    kind: 'size',
  };
}

export function kindOf(reason: string): 'json' | 'contract' {
  return reason.startsWith('not valid JSON') || reason.startsWith('not valid UTF-8') ? 'json' : 'contract';
}
