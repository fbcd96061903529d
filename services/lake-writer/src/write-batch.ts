import { describeError, type Logger } from '@spotify-pipeline/shared';
import { bronzeObjectKey, type LakeFormat } from '@spotify-pipeline/shared/lake/layout';
import type { DeadLetterSink } from './dead-letters.js';
import { encodeJsonLinesGzip } from './encode.js';
import { encodeParquet } from './encode-parquet.js';
import type { LakeStore } from './lake-store.js';
import type { LakeWriterMetrics } from './metrics.js';
import { appendToGroup, type HourGroup, hourGroup, type PartitionBuffer } from './partition-buffer.js';
import { retryUntilAborted } from './retry-until-aborted.js';

export interface BatchWriterParams {
  topic: string;
  store: LakeStore;
  deadLetters: DeadLetterSink;
  format: LakeFormat;
  gzipLevel: number;
  retryMaxMs: number;
  metrics: LakeWriterMetrics;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Turns one group into an object body; the configured format's encoder unless a test passes another. */
  encode?: (group: HourGroup) => Promise<Buffer>;
}

export interface WriteControl {
  /** Checked before every retry: true once the partition is revoked or shutdown gave up. */
  shouldAbort(): boolean;
  /** Called on each failure, so the caller can stop fetching the partition. */
  onFailure(err: unknown, attempt: number): void;
}

interface PreparedObject {
  key: string;
  body: Buffer;
  group: HourGroup;
  encodeMs: number;
}

/**
 * Stores one partition's buffer: one object (gzip JSON Lines or Parquet) per event hour, then its dead letters.
 * A group that cannot be named or encoded is split record by record: the records at fault join the dead
 * letters with the reason, the rest is stored. Store and dead-letter writes are retried with backoff until
 * they succeed or the caller aborts; names come from the offsets, so a retry that did reach the store
 * overwrites the same object, and letters already acknowledged are not sent again.
 * Resolves `true` only when every record is durable in an object or the dead-letter topic, i.e. when
 * committing `lastOffset + 1` is safe; `false` when aborted (nothing may be committed then).
 */
export async function writeBatch(
  params: BatchWriterParams,
  partition: number,
  buffer: PartitionBuffer,
  control: WriteControl,
): Promise<boolean> {
  const { topic, store, deadLetters, metrics } = params;
  const contentType = params.format === 'parquet' ? 'application/vnd.apache.parquet' : 'application/gzip';
  for (const object of await prepareObjects(params, partition, buffer)) {
    const stored = await retry(
      params,
      async () => {
        const started = Date.now();
        await store.put(object.key, object.body, contentType);
        params.logger.info(
          {
            key: object.key,
            records: object.group.lines.length,
            bytes: object.body.length,
            encodeMs: object.encodeMs,
            putMs: Date.now() - started,
          },
          'stored object',
        );
      },
      control,
    );
    if (!stored) return false;
    // Stored: the group's lines are not needed any more, and a retried flush must not store them again.
    buffer.groups.delete(`${object.group.date}T${object.group.hour}`);
    metrics.objectsWritten.inc({ topic });
    metrics.recordsWritten.inc({ topic }, object.group.lines.length);
    metrics.bytesWritten.inc({ topic }, object.body.length);
  }
  const unsent = buffer.deadLetters.filter((letter) => !letter.sent);
  if (unsent.length > 0) {
    const sent = await retry(params, () => deadLetters.send({ topic, partition }, unsent), control);
    for (const letter of unsent) if (letter.sent) metrics.deadLettered.inc({ topic, kind: letter.kind });
    if (!sent) return false;
  }
  return true;
}

/**
 * Names and encodes every group. Never throws: a group that fails is retried record by record, and each
 * record that fails on its own is moved from the group to the buffer's dead letters (its lake row as value).
 */
async function prepareObjects(
  params: BatchWriterParams,
  partition: number,
  buffer: PartitionBuffer,
): Promise<PreparedObject[]> {
  const prepared: PreparedObject[] = [];
  for (const [groupKey, group] of [...buffer.groups]) {
    const whole = await prepare(params, partition, group);
    if (whole.ok) {
      prepared.push(whole.object);
      continue;
    }
    params.metrics.internalErrors.inc({ topic: params.topic, stage: 'encode' });
    params.logger.error(
      { partition, date: group.date, hour: group.hour, records: group.lines.length, reason: whole.reason },
      'a group could not be named or encoded; isolating the records at fault',
    );
    const kept = hourGroup(group.date, group.hour);
    const keptIndexes: number[] = [];
    const deadLetter = (i: number, reason: string) =>
      buffer.deadLetters.push({
        offset: group.offsets[i]!,
        key: null,
        value: Buffer.from(group.lines[i]!, 'utf8'),
        reason: `could not be written to the lake: ${reason}`,
        kind: 'internal',
      });
    for (let i = 0; i < group.lines.length; i++) {
      const single = hourGroup(group.date, group.hour);
      appendToGroup(single, group.lines[i]!, group.offsets[i]!, Buffer.byteLength(group.lines[i]!));
      const alone = await prepare(params, partition, single);
      if (alone.ok) {
        appendToGroup(kept, group.lines[i]!, group.offsets[i]!, single.bytes - 1);
        keptIndexes.push(i);
      } else deadLetter(i, alone.reason);
    }
    const rest = kept.lines.length > 0 ? await prepare(params, partition, kept) : null;
    if (rest?.ok) {
      buffer.groups.set(groupKey, kept);
      prepared.push(rest.object);
      continue;
    }
    // Each record encodes alone but not together: none of them can be trusted to the lake.
    buffer.groups.delete(groupKey);
    if (rest) for (const i of keptIndexes) deadLetter(i, rest.reason);
  }
  return prepared;
}

async function prepare(
  params: BatchWriterParams,
  partition: number,
  group: HourGroup,
): Promise<{ ok: true; object: PreparedObject } | { ok: false; reason: string }> {
  try {
    const started = Date.now();
    const key = bronzeObjectKey({
      topic: params.topic,
      partition,
      firstOffset: group.firstOffset,
      lastOffset: group.lastOffset,
      date: group.date,
      hour: group.hour,
      format: params.format,
    });
    const encode =
      params.encode ??
      (params.format === 'parquet'
        ? async (g: HourGroup) => encodeParquet(g)
        : (g: HourGroup) => encodeJsonLinesGzip(g, params.gzipLevel));
    const body = await encode(group);
    return { ok: true, object: { key, body, group, encodeMs: Date.now() - started } };
  } catch (err) {
    return { ok: false, reason: describeError(err, 300) };
  }
}

function retry(
  params: BatchWriterParams,
  step: () => Promise<void>,
  control: WriteControl,
): Promise<boolean> {
  return retryUntilAborted(step, {
    what: `writing ${params.topic} to the lake`,
    maxMs: params.retryMaxMs,
    shouldAbort: control.shouldAbort,
    onFailure: (err, attempt) => {
      params.metrics.storeRetries.inc({ topic: params.topic });
      control.onFailure(err, attempt);
    },
    sleep: params.sleep,
  });
}
