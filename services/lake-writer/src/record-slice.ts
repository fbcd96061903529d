import type { ClassifierName, RecordClassifier, RecordOutcome } from './classify-record.js';
import type { IntakeContext } from './lake-line.js';
import type { DeadLetterKind } from './partition-buffer.js';

/** Consecutive records of one partition, classified together (in a worker thread or inline). */
export interface RecordSlice {
  topic: string;
  partition: number;
  offsets: string[];
  values: Array<Buffer | null>;
  intake: IntakeContext;
}

/** Classifies a slice; resolves with one outcome per record, in order, as `classify` would give them. */
export type SliceClassifier = (slice: RecordSlice) => Promise<RecordOutcome[]>;

/**
 * A slice as it crosses to a worker thread: the values copied into one transferable buffer (so no Buffer
 * object per record is cloned), `lengths[i] === -1` for a record with no value.
 */
export interface PackedSlice {
  classifier: ClassifierName;
  topic: string;
  partition: number;
  offsets: string[];
  data: ArrayBuffer;
  lengths: Int32Array;
  intake: IntakeContext;
}

const OK = 0;
const SKIP = 1;
const DEAD = 2;
const DEAD_LETTER_KINDS: readonly DeadLetterKind[] = ['size', 'json', 'contract', 'internal'];

/**
 * Outcomes as they come back: every row's text in one string (a row never holds a newline, see
 * withLakeMetadata), one status per record, and the event hours named once each, so the main thread receives
 * one string and a few typed arrays rather than an object per record.
 */
export interface PackedOutcomes {
  rows: string;
  status: Uint8Array;
  bytes: Int32Array;
  /** Index into `hours` of each record's event hour (0 for records that are not rows). */
  hourOf: Int32Array;
  hours: Array<[date: string, hour: string]>;
  /** For skipped and dead-lettered records, in record order: the reason, and the kind of a dead letter. */
  reasons: string[];
  kinds: Uint8Array;
}

/** A slice classified record by record on this thread. */
export function classifySlice(classify: RecordClassifier, slice: RecordSlice): RecordOutcome[] {
  const origin = { topic: slice.topic, partition: slice.partition, offset: '' };
  return slice.values.map((value, i) => {
    origin.offset = slice.offsets[i] ?? '';
    return classify(value, origin, slice.intake);
  });
}

export function packSlice(classifier: ClassifierName, slice: RecordSlice): PackedSlice {
  const lengths = new Int32Array(slice.values.length);
  let total = 0;
  for (const [i, value] of slice.values.entries()) {
    lengths[i] = value === null ? -1 : value.length;
    total += value?.length ?? 0;
  }
  const data = new ArrayBuffer(total);
  const bytes = new Uint8Array(data);
  let at = 0;
  for (const value of slice.values) {
    if (value === null) continue;
    bytes.set(value, at);
    at += value.length;
  }
  const { topic, partition, offsets, intake } = slice;
  return { classifier, topic, partition, offsets, data, lengths, intake };
}

export function unpackValues(packed: PackedSlice): Array<Buffer | null> {
  const values: Array<Buffer | null> = [];
  let at = 0;
  for (const length of packed.lengths) {
    if (length < 0) {
      values.push(null);
      continue;
    }
    values.push(Buffer.from(packed.data, at, length));
    at += length;
  }
  return values;
}

/** Runs one packed slice through its classifier: what a worker thread does with each request. */
export function classifyPacked(packed: PackedSlice, classify: RecordClassifier): PackedOutcomes {
  const values = unpackValues(packed);
  const origin = { topic: packed.topic, partition: packed.partition, offset: '' };
  const count = values.length;
  const status = new Uint8Array(count);
  const bytes = new Int32Array(count);
  const hourOf = new Int32Array(count);
  const hourIndex = new Map<string, number>();
  const hours: Array<[string, string]> = [];
  const rows: string[] = [];
  const reasons: string[] = [];
  const kinds: number[] = [];
  for (let i = 0; i < count; i++) {
    origin.offset = packed.offsets[i] ?? '';
    const outcome = classify(values[i] ?? null, origin, packed.intake);
    if (outcome.ok === true) {
      const hour = `${outcome.date}T${outcome.hour}`;
      let index = hourIndex.get(hour);
      if (index === undefined) {
        index = hours.length;
        hourIndex.set(hour, index);
        hours.push([outcome.date, outcome.hour]);
      }
      status[i] = OK;
      bytes[i] = outcome.bytes;
      hourOf[i] = index;
      rows.push(outcome.line);
    } else if (outcome.ok === 'skip') {
      status[i] = SKIP;
      reasons.push(outcome.reason);
      kinds.push(0);
    } else {
      status[i] = DEAD;
      reasons.push(outcome.reason);
      kinds.push(DEAD_LETTER_KINDS.indexOf(outcome.kind));
    }
  }
  return {
    rows: rows.join('\n'),
    status,
    bytes,
    hourOf,
    hours,
    reasons,
    kinds: Uint8Array.from(kinds),
  };
}

/** The outcomes of a packed slice, as `classify` returned them record by record. */
export function unpackOutcomes(packed: PackedOutcomes): RecordOutcome[] {
  const rows = packed.rows === '' ? [] : packed.rows.split('\n');
  const expected = packed.status.reduce((sum, status) => sum + (status === OK ? 1 : 0), 0);
  if (rows.length !== expected)
    throw new Error(`a classified slice holds ${rows.length} rows for ${expected} good records`);
  const outcomes: RecordOutcome[] = [];
  let row = 0;
  let other = 0;
  for (let i = 0; i < packed.status.length; i++) {
    const status = packed.status[i];
    if (status === OK) {
      const [date, hour] = packed.hours[packed.hourOf[i] ?? 0] ?? ['', ''];
      outcomes.push({
        ok: true,
        line: rows[row++] ?? '',
        date,
        hour,
        bytes: packed.bytes[i] ?? 0,
      });
    } else if (status === SKIP) {
      outcomes.push({ ok: 'skip', reason: packed.reasons[other++] ?? '' });
    } else {
      const kind = DEAD_LETTER_KINDS[packed.kinds[other] ?? 3] ?? 'internal';
      outcomes.push({ ok: false, kind, reason: packed.reasons[other++] ?? '' });
    }
  }
  return outcomes;
}
