import { describeError, MAX_REASON_CHARS, printable } from '@spotify-pipeline/shared';
import { isEventHour } from '@spotify-pipeline/shared/lake/layout';
import { type IntakeContext, type RecordOrigin, toLakeLine } from './lake-line.js';
import type { DeadLetterKind } from './partition-buffer.js';

/** What becomes of one consumed record: a lake row, or a dead letter with a bounded, printable reason. */
export type RecordOutcome =
  | { ok: true; line: string; date: string; hour: string; bytes: number }
  | { ok: false; kind: DeadLetterKind; reason: string };

/**
 * The per-record boundary: a pure, total function from one record's bytes and position to its outcome.
 * Whatever the bytes hold, it returns (anything thrown while handling the record, including while building
 * the reason for rejecting it, becomes a dead letter of kind `internal`); it keeps no state, so it can run
 * in a worker thread as it is.
 */
export function classifyRecord(
  value: Buffer | null,
  origin: RecordOrigin,
  intake: IntakeContext,
): RecordOutcome {
  try {
    const row = toLakeLine(value, origin, intake);
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
