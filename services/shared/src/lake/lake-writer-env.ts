import { z } from 'zod';
import { env } from '../config.js';
import { timestampProblem } from '../contract/timestamp.js';
import { CATALOG_TOPICS, catalogKindOf, TOPICS } from '../contract/topics.js';
import { DEFAULT_EVENT_TIME_WINDOW } from '../contract/validate.js';
import { kafkaEnvSchema } from '../kafka.js';
import { objectStoreEnvSchema } from '../object-store.js';
import { LAKE_FORMATS } from './layout.js';

const positiveInt = (fallback: number, what: string) =>
  env.int(fallback).pipe(z.number().int().min(1, `must be at least 1 (${what})`));

/**
 * Everything the lake writer reads from its environment. The operator builds the Deployment's env from the
 * custom resource with this same schema, so both ends agree on names, defaults and limits.
 */
export const lakeWriterEnvSchema = kafkaEnvSchema.extend({
  ...objectStoreEnvSchema.shape,
  LAKE_WRITER_TOPIC: z
    .string()
    .min(1)
    .refine(
      (topic) => catalogKindOf(topic) === null,
      'must be the listening-events topic: catalog topics go in LAKE_WRITER_CATALOG_TOPICS',
    )
    .default(TOPICS.listeningEvents),
  /**
   * Catalog topics written beside the events (each by its own consumer, in group `<group id>.<topic>`):
   * artists, albums and tracks validated against their schemas, stored by ingestion hour, tombstones skipped.
   */
  LAKE_WRITER_CATALOG_TOPICS: env
    .list()
    .pipe(
      z
        .array(z.string())
        .refine(
          (topics) => topics.every((topic) => catalogKindOf(topic) !== null),
          `each must be a catalog topic, named ${CATALOG_TOPICS.join(', ')} or ending in one of them`,
        ),
    )
    .default([]),
  LAKE_WRITER_DLQ_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  LAKE_WRITER_GROUP_ID: z.string().min(1).default('lake-writer'),
  LAKE_WRITER_FORMAT: z.enum(LAKE_FORMATS).default('jsonl.gz'),
  LAKE_WRITER_BATCH_MAX_EVENTS: positiveInt(50_000, 'records per partition buffer'),
  LAKE_WRITER_BATCH_MAX_BYTES: positiveInt(64 * 1024 * 1024, 'uncompressed bytes per partition buffer').pipe(
    z.number().max(256 * 1024 * 1024, 'must be at most 268435456: each object is built in memory'),
  ),
  /**
   * Bytes (as consumed) the process may hold across every partition's buffer and write, and its Kafka fetch
   * sizes. Unset: 20% of the container's memory limit, or 35% of V8's heap limit if that is less (no container).
   */
  LAKE_WRITER_MEMORY_BUDGET_BYTES: env
    .int()
    .pipe(z.number().min(8 * 1024 * 1024, 'must be at least 8388608 (8 MiB)'))
    .optional(),
  LAKE_WRITER_BATCH_MAX_AGE_MS: positiveInt(60_000, 'age of the oldest buffered record'),
  // Level 1 compresses about twice as fast as 6 for objects ~12% larger; compression is the writer's
  // second-largest CPU cost, so speed wins by default.
  LAKE_WRITER_GZIP_LEVEL: env.int(1).pipe(z.number().int().min(0).max(9, 'must be 0-9')),
  LAKE_WRITER_RETRY_MAX_MS: positiveInt(10_000, 'longest wait between object-store retries'),
  LAKE_WRITER_PUT_TIMEOUT_MS: positiveInt(30_000, 'one object upload before it counts as failed'),
  LAKE_WRITER_SESSION_TIMEOUT_MS: positiveInt(30_000, 'Kafka group session; the broker allows 6000-300000'),
  LAKE_WRITER_EVENT_TS_EARLIEST: z
    .string()
    .refine(
      (v) => timestampProblem(v) === null,
      'must be a contract timestamp such as 2008-01-01T00:00:00.000Z',
    )
    .default(DEFAULT_EVENT_TIME_WINDOW.earliest),
  LAKE_WRITER_EVENT_TS_MAX_AHEAD_MS: env
    .int(DEFAULT_EVENT_TIME_WINDOW.maxAheadMs)
    .pipe(z.number().int().min(0, 'must be at least 0 (ms an event may be dated after its ingestion)')),
  LAKE_WRITER_STALL_TIMEOUT_MS: positiveInt(
    300_000,
    'a partition holding a record this long without a commit is reported stalled by /healthz',
  ),
  LAKE_WRITER_SHUTDOWN_TIMEOUT_MS: positiveInt(25_000, 'time to flush on SIGTERM before giving up'),
  OPS_PORT: env.int(8080).pipe(z.number().int().min(0).max(65_535)),
});

/** The consumer group of one catalog topic's writer: its own, so the events group's lag and scaling stay its own. */
export const catalogGroupId = (groupId: string, topic: string) => `${groupId}.${topic}`;
