import { type CatalogKind, describeError, MAX_REASON_CHARS, printable } from '@spotify-pipeline/shared';
import { isEventHour } from '@spotify-pipeline/shared/lake/layout';
import { toCatalogLine } from './catalog-line.js';
import { type IntakeContext, type LakeLine, type RecordOrigin, toLakeLine } from './lake-line.js';
import type { DeadLetterKind } from './partition-buffer.js';

/** What becomes of one consumed record: a lake row, a dead letter with a bounded, printable reason, or nothing. */
export type RecordOutcome =
  | { ok: true; line: string; date: string; hour: string; bytes: number }
  | { ok: false; kind: DeadLetterKind; reason: string }
  | { ok: 'skip'; reason: string };

/** The per-record boundary of one topic's records. */
export type RecordClassifier = (
  value: Buffer | null,
  origin: RecordOrigin,
  intake: IntakeContext,
) => RecordOutcome;

/**
 * The per-record boundary for listening events: a pure, total function from one record's bytes and
 * position to its outcome, partitioned by event hour.
 */
export const classifyRecord: RecordClassifier = (value, origin, intake) =>
  bounded(() => toLakeLine(value, origin, intake));

/** The per-record boundary for one catalog's records (artists, albums or tracks), by ingestion hour. */
export const catalogClassifier =
  (kind: CatalogKind): RecordClassifier =>
  (value, origin, intake) =>
    bounded(() => toCatalogLine(kind, value, origin, intake));

/**
 * Whatever the bytes hold, this returns: anything thrown while handling the record, including while
 * building the reason for rejecting it, becomes a dead letter of kind `internal`. It keeps no state, so it
 * can run in a worker thread as it is.
 */
function bounded(toLine: () => LakeLine | { ok: 'skip'; reason: string }): RecordOutcome {
  try {
    const row = toLine();
    if (row.ok === 'skip') return row;
    if (!row.ok) return { ok: false, kind: row.kind, reason: printable(row.reason, MAX_REASON_CHARS) };
    if (!isEventHour(row.date, row.hour))
      return {
        ok: false,
        kind: 'contract',
        reason: `event_ts: ${row.date} hour ${row.hour} cannot name a lake partition`,
      };
    return row;
  } catch (err) {
    return { ok: false, kind: 'internal', reason: `could not handle the record: ${describeError(err, 300)}` };
  }
}
