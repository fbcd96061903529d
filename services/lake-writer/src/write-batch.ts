import type { Logger } from '@spotify-pipeline/shared';
import { bronzeObjectKey, type LakeFormat } from '@spotify-pipeline/shared/lake/layout';
import { backoffDelay } from './backoff.js';
import type { DeadLetterSink } from './dead-letters.js';
import { encodeJsonLinesGzip } from './encode.js';
import { encodeParquet } from './encode-parquet.js';
import type { LakeStore } from './lake-store.js';
import type { LakeWriterMetrics } from './metrics.js';
import type { PartitionBuffer } from './partition-buffer.js';

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
}

export interface WriteControl {
  /** Checked before every retry: true once the partition is revoked or shutdown gave up. */
  shouldAbort(): boolean;
  /** Called on each failure, so the caller can stop fetching the partition. */
  onFailure(err: unknown, attempt: number): void;
}

/**
 * Stores one partition's buffer: one object (gzip JSON Lines or Parquet) per event hour, then its dead letters. Every step
 * is retried with backoff until it succeeds or the caller aborts; steps already done are not repeated, and
 * names come from the offsets, so a retry that did reach the store overwrites the same object.
 * Resolves `true` only when everything is durable, i.e. when committing `lastOffset + 1` is safe.
 */
export async function writeBatch(
  params: BatchWriterParams,
  partition: number,
  buffer: PartitionBuffer,
  control: WriteControl,
): Promise<boolean> {
  const { topic, store, deadLetters, format, gzipLevel, metrics } = params;
  const contentType = format === 'parquet' ? 'application/vnd.apache.parquet' : 'application/gzip';
  const steps: Array<() => Promise<void>> = [];
  for (const group of buffer.groups.values()) {
    const key = bronzeObjectKey({
      topic,
      partition,
      firstOffset: group.firstOffset,
      lastOffset: group.lastOffset,
      date: group.date,
      hour: group.hour,
      format,
    });
    let body: Buffer | null = null;
    steps.push(async () => {
      const started = Date.now();
      body ??= format === 'parquet' ? encodeParquet(group) : await encodeJsonLinesGzip(group, gzipLevel);
      const encoded = Date.now();
      await store.put(key, body, contentType);
      params.logger.info(
        {
          key,
          records: group.lines.length,
          bytes: body.length,
          encodeMs: encoded - started,
          putMs: Date.now() - encoded,
        },
        'stored object',
      );
      metrics.objectsWritten.inc({ topic });
      metrics.recordsWritten.inc({ topic }, group.lines.length);
      metrics.bytesWritten.inc({ topic }, body.length);
    });
  }
  if (buffer.deadLetters.length > 0) {
    steps.push(async () => {
      await deadLetters.send({ topic, partition }, buffer.deadLetters);
      for (const letter of buffer.deadLetters) metrics.deadLettered.inc({ topic, kind: letter.kind });
    });
  }
  for (const step of steps) {
    if (!(await retry(params, step, control))) return false;
  }
  return true;
}

async function retry(
  params: BatchWriterParams,
  step: () => Promise<void>,
  control: WriteControl,
): Promise<boolean> {
  const sleep = params.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    if (control.shouldAbort()) return false;
    try {
      await step();
      return true;
    } catch (err) {
      params.metrics.storeRetries.inc({ topic: params.topic });
      control.onFailure(err, attempt);
      await sleep(backoffDelay(attempt, params.retryMaxMs));
    }
  }
}
