/** Records of one hour of event time, in offset order; becomes one object. */
export interface HourGroup {
  date: string;
  hour: string;
  lines: string[];
  bytes: number;
  firstOffset: string;
  lastOffset: string;
}

export interface DeadLetter {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  kind: string;
}

/**
 * What one partition has consumed since its last flush: good rows grouped by event hour plus the records
 * to dead-letter. `lastOffset` covers both, so committing `lastOffset + 1` after a flush is exact.
 */
export interface PartitionBuffer {
  groups: Map<string, HourGroup>;
  deadLetters: DeadLetter[];
  records: number;
  bytes: number;
  /** Clock time of the first record, for the age limit; null while empty. */
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
  row: { offset: string; line: string; date: string; hour: string },
  now: number,
): void {
  const key = `${row.date}T${row.hour}`;
  let group = buffer.groups.get(key);
  if (!group) {
    group = {
      date: row.date,
      hour: row.hour,
      lines: [],
      bytes: 0,
      firstOffset: row.offset,
      lastOffset: row.offset,
    };
    buffer.groups.set(key, group);
  }
  group.lines.push(row.line);
  // +1 for the newline; string length is close enough to UTF-8 bytes for a flush threshold.
  group.bytes += row.line.length + 1;
  group.lastOffset = row.offset;
  buffer.bytes += row.line.length + 1;
  touch(buffer, row.offset, now);
}

export function addDeadLetter(buffer: PartitionBuffer, letter: DeadLetter, now: number): void {
  buffer.deadLetters.push(letter);
  buffer.bytes += letter.value?.length ?? 0;
  touch(buffer, letter.offset, now);
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
