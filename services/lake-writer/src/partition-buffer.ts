/** Records of one hour of event time, in offset order; becomes one object. */
export interface HourGroup {
  date: string;
  hour: string;
  lines: string[];
  /** The Kafka offset of each line, so a line that cannot be stored can be dead-lettered on its own. */
  offsets: string[];
  bytes: number;
  firstOffset: string;
  lastOffset: string;
}

/** Why a record went to the dead-letter topic, as counted in `lake_writer_dead_lettered_total{kind}`. */
export type DeadLetterKind = 'size' | 'json' | 'contract' | 'internal';

export interface DeadLetter {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  kind: DeadLetterKind;
  /** Set once the dead-letter topic acknowledged it, so a retried flush does not send it twice. */
  sent?: boolean;
}

/**
 * What one partition has consumed since its last flush: good rows grouped by event hour plus the records
 * to dead-letter. `lastOffset` covers both, so committing `lastOffset + 1` after a flush is exact.
 */
export interface PartitionBuffer {
  groups: Map<string, HourGroup>;
  deadLetters: DeadLetter[];
  records: number;
  /** Bytes as consumed (after Kafka decompression): what the byte limit and memory bound count. */
  bytes: number;
  /** Clock time of the first record, for the age limit and the stall check; null while empty. */
  openedAt: number | null;
  lastOffset: string | null;
}

export interface BufferLimits {
  maxEvents: number;
  maxBytes: number;
  maxAgeMs: number;
}

export function createPartitionBuffer(): PartitionBuffer {
  return { groups: new Map(), deadLetters: [], records: 0, bytes: 0, openedAt: null, lastOffset: null };
}

export function addLine(
  buffer: PartitionBuffer,
  row: { offset: string; line: string; date: string; hour: string; bytes: number },
  now: number,
): void {
  const key = `${row.date}T${row.hour}`;
  let group = buffer.groups.get(key);
  if (!group) {
    group = hourGroup(row.date, row.hour);
    buffer.groups.set(key, group);
  }
  appendToGroup(group, row.line, row.offset, row.bytes);
  buffer.bytes += row.bytes + 1;
  touch(buffer, row.offset, now);
}

export function addDeadLetter(buffer: PartitionBuffer, letter: DeadLetter, now: number): void {
  buffer.deadLetters.push(letter);
  buffer.bytes += (letter.value?.length ?? 0) + (letter.key?.length ?? 0);
  touch(buffer, letter.offset, now);
}

/** A record that becomes nothing (a tombstone): it only moves the offset the flush commits. */
export function addSkipped(buffer: PartitionBuffer, offset: string, now: number): void {
  touch(buffer, offset, now);
}

export function hourGroup(date: string, hour: string): HourGroup {
  return { date, hour, lines: [], offsets: [], bytes: 0, firstOffset: '', lastOffset: '' };
}

export function appendToGroup(group: HourGroup, line: string, offset: string, bytes: number): void {
  if (group.lines.length === 0) group.firstOffset = offset;
  group.lines.push(line);
  group.offsets.push(offset);
  // +1 for the newline.
  group.bytes += bytes + 1;
  group.lastOffset = offset;
}

function touch(buffer: PartitionBuffer, offset: string, now: number): void {
  buffer.records += 1;
  buffer.lastOffset = offset;
  buffer.openedAt ??= now;
}

export function isFull(buffer: PartitionBuffer, limits: BufferLimits): boolean {
  return buffer.records >= limits.maxEvents || buffer.bytes >= limits.maxBytes;
}

export function isDue(buffer: PartitionBuffer, limits: BufferLimits, now: number): boolean {
  if (buffer.openedAt === null) return false;
  return isFull(buffer, limits) || now - buffer.openedAt >= limits.maxAgeMs;
}
