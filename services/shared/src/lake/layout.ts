import { isCalendarDate } from '../contract/timestamp.js';

/**
 * The bronze lake layout every stage agrees on:
 * `bronze/<topic>/date=YYYY-MM-DD/hour=HH/<topic>+<partition>+<firstOffset>-<lastOffset>.<format>` inside the
 * lake bucket. The name is a pure function of topic, partition, the offset range and the event hour, so a
 * replay of the same offsets writes the same object instead of a second copy.
 */

export const LAKE_FORMATS = ['jsonl.gz', 'parquet'] as const;
export type LakeFormat = (typeof LAKE_FORMATS)[number];

export const BRONZE_PREFIX = 'bronze/';
/** Full bytes of dead-lettered records too large to travel whole in the dead-letter topic. */
const QUARANTINE_PREFIX = 'quarantine/';

export interface BronzeObject {
  topic: string;
  partition: number;
  /** Offsets as decimal strings: Kafka offsets are int64 and do not fit a JS number. */
  firstOffset: string;
  lastOffset: string;
  /** YYYY-MM-DD of the events' own timestamp (UTC). */
  date: string;
  /** 00-23. */
  hour: string;
  format: LakeFormat;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HOUR = /^([01]\d|2[0-3])$/;
const OFFSET = /^(0|[1-9]\d*)$/;
// Kafka topic names: letters, digits, '.', '_' and '-'; so '+' and '/' can delimit safely.
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** The object key (inside the bucket) of one bronze object. Throws on values that could not round-trip. */
export function bronzeObjectKey(object: BronzeObject): string {
  const { topic, partition, firstOffset, lastOffset, date, hour, format } = object;
  if (!TOPIC.test(topic)) throw new RangeError(`not a Kafka topic name: ${JSON.stringify(topic)}`);
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
  if (!OFFSET.test(firstOffset) || !OFFSET.test(lastOffset))
    throw new RangeError(`bad offset range ${firstOffset}-${lastOffset}`);
  if (BigInt(firstOffset) > BigInt(lastOffset))
    throw new RangeError(`offset range ${firstOffset}-${lastOffset} is reversed`);
  if (!isEventHour(date, hour)) throw new RangeError(`bad date/hour ${date} ${hour}`);
  return `${bronzeTopicPrefix(topic)}date=${date}/hour=${hour}/${topic}+${partition}+${firstOffset}-${lastOffset}.${format}`;
}

/** `bronze/<topic>/`: list under it to see every object of a topic. */
function bronzeTopicPrefix(topic: string): string {
  return `${BRONZE_PREFIX}${topic}/`;
}

/** True when `date` is a calendar day (YYYY-MM-DD) and `hour` is 00-23: a partition every engine accepts. */
export function isEventHour(date: string, hour: string): boolean {
  if (!DATE.test(date) || !HOUR.test(hour)) return false;
  return isCalendarDate(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/**
 * `quarantine/<topic>/<topic>+<partition>+<offset>.bin`: the original bytes of one dead-lettered record. A
 * function of the record's position, so a replay overwrites the same object.
 */
export function quarantineObjectKey(topic: string, partition: number, offset: string): string {
  if (!TOPIC.test(topic)) throw new RangeError(`not a Kafka topic name: ${JSON.stringify(topic)}`);
  if (!Number.isInteger(partition) || partition < 0 || !OFFSET.test(offset))
    throw new RangeError(`bad record position ${partition}@${offset}`);
  return `${QUARANTINE_PREFIX}${topic}/${topic}+${partition}+${offset}.bin`;
}

/**
 * `checkpoints/lake-writer/<group>/<topic>/<partition>.json`: how far one consumer group's lake writers have
 * stored a partition, written after each stored buffer and before its offset commit (lake-writer/checkpoints.ts).
 * Outside `bronze/`, so nothing that loads bronze lists it.
 */
export function writerCheckpointKey(groupId: string, topic: string, partition: number): string {
  if (!TOPIC.test(topic)) throw new RangeError(`not a Kafka topic name: ${JSON.stringify(topic)}`);
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
  return `${writerCheckpointPrefix(groupId)}${topic}/${partition}.json`;
}

/** Every checkpoint of one consumer group's lake writers: a pipeline's, deleted with its data. */
export function writerCheckpointPrefix(groupId: string): string {
  if (groupId.length === 0) throw new RangeError('an empty consumer group id');
  return `checkpoints/lake-writer/${encodeURIComponent(groupId)}/`;
}

/** Whether `value` is a Kafka offset as the lake layout writes them: a decimal string without sign or zeros. */
export function isOffset(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 20 && OFFSET.test(value);
}

const KEY =
  /^bronze\/([a-zA-Z0-9._-]{1,249})\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([a-zA-Z0-9._-]{1,249})\+(\d+)\+(\d+)-(\d+)\.(jsonl\.gz|parquet)$/;

/**
 * Reads a key written by `bronzeObjectKey` back; `null` for anything else (a stray or foreign object).
 * Some S3 servers (versitygw 1.x) list `+` as a space because they do not URL-encode listed keys; a bronze
 * key never holds a space, so one is read as `+`. Fetch the object by `bronzeObjectKey(parsed)`, not by the
 * listed name.
 */
export function parseBronzeObjectKey(key: string): BronzeObject | null {
  const m = KEY.exec(key.replaceAll(' ', '+'));
  if (!m) return null;
  const [, topic, date, hour, fileTopic, partition, firstOffset, lastOffset, format] = m;
  if (!topic || topic !== fileTopic || !date || !hour || !isEventHour(date, hour)) return null;
  if (!partition || !firstOffset || !lastOffset || !format) return null;
  if (!OFFSET.test(firstOffset) || !OFFSET.test(lastOffset) || BigInt(firstOffset) > BigInt(lastOffset))
    return null;
  return {
    topic,
    partition: Number(partition),
    firstOffset,
    lastOffset,
    date,
    hour,
    format: format as LakeFormat,
  };
}

/**
 * Date and hour partition of a contract timestamp (`2026-01-31T23:59:59.123Z` -> `2026-01-31`, `23`). The
 * contract guarantees the exact ISO-8601 UTC shape, so slicing is both correct and free.
 */
export function eventHourPartition(eventTs: string): { date: string; hour: string } {
  return { date: eventTs.slice(0, 10), hour: eventTs.slice(11, 13) };
}
