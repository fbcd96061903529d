import { getHeapStatistics } from 'node:v8';
import {
  catalogKindOf,
  createLogger,
  createRegistry,
  loadConfig,
  onShutdown,
  runCli,
  settingsHelp,
  startOpsServer,
} from '@spotify-pipeline/shared';
import { createKafka, Partitioners } from '@spotify-pipeline/shared/kafka';
import { catalogGroupId, lakeWriterEnvSchema } from '@spotify-pipeline/shared/lake/lake-writer-env';
import type { LakeFormat } from '@spotify-pipeline/shared/lake/layout';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { createCheckpointStore } from './checkpoints.js';
import { catalogClassifier, classifyRecord, type RecordClassifier } from './classify-record.js';
import { createDeadLetterSink } from './dead-letters.js';
import { createLakeStore } from './lake-store.js';
import { createLakeWriter } from './lake-writer.js';
import { createMemoryBudget, fetchSizesFor, memoryBudgetFor } from './memory-budget.js';
import { createLakeWriterMetrics } from './metrics.js';

/** Process entry point: config from env, wiring, ops endpoints, SIGTERM handling. */
async function main(): Promise<void> {
  const config = loadConfig(lakeWriterEnvSchema);
  const logger = createLogger({ name: 'lake-writer' });

  const client = createObjectStore(config);
  const bucket = await ensureBucket(client, config.LAKE_BUCKET, config.LAKE_REGION);
  logger.info({ bucket: config.LAKE_BUCKET, state: bucket }, 'lake bucket ready');

  const kafka = createKafka(config, logger);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const registry = createRegistry('lake-writer');
  const metrics = createLakeWriterMetrics(registry);
  const store = createLakeStore({
    client,
    bucket: config.LAKE_BUCKET,
    timeoutMs: config.LAKE_WRITER_PUT_TIMEOUT_MS,
  });

  const sized = memoryBudgetFor({
    configured: config.LAKE_WRITER_MEMORY_BUDGET_BYTES,
    containerLimit: process.constrainedMemory?.(),
    heapLimit: getHeapStatistics().heap_size_limit,
  });
  const budget = createMemoryBudget(sized.bytes);
  const fetchSizes = fetchSizesFor(budget.bytes);
  logger.info(
    { memoryBudgetBytes: budget.bytes, from: sized.from, fetchMaxBytes: fetchSizes.maxBytes },
    'memory budget for buffers and writes',
  );

  /** One topic's writer: its own consumer and group, the shared store, producer and metrics. */
  const writerFor = (topic: string, groupId: string, classify: RecordClassifier, format: LakeFormat) =>
    createLakeWriter({
      consumer: kafka.consumer({
        groupId,
        sessionTimeout: config.LAKE_WRITER_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.min(3_000, Math.floor(config.LAKE_WRITER_SESSION_TIMEOUT_MS / 3)),
        ...fetchSizes,
        maxWaitTimeInMs: 500,
      }),
      topic,
      classify,
      store,
      checkpoints: createCheckpointStore({
        client,
        bucket: config.LAKE_BUCKET,
        groupId,
        topic,
        timeoutMs: config.LAKE_WRITER_PUT_TIMEOUT_MS,
        logger,
      }),
      deadLetters: createDeadLetterSink({
        producer,
        topic: config.LAKE_WRITER_DLQ_TOPIC,
        bucket: config.LAKE_BUCKET,
        quarantine: async (key, body) => {
          await store.put(key, body, 'application/octet-stream');
          metrics.quarantined.inc({ topic });
        },
        timeoutMs: config.LAKE_WRITER_PUT_TIMEOUT_MS,
      }),
      limits: {
        maxEvents: config.LAKE_WRITER_BATCH_MAX_EVENTS,
        maxBytes: config.LAKE_WRITER_BATCH_MAX_BYTES,
        maxAgeMs: config.LAKE_WRITER_BATCH_MAX_AGE_MS,
      },
      budget,
      format,
      gzipLevel: config.LAKE_WRITER_GZIP_LEVEL,
      retryMaxMs: config.LAKE_WRITER_RETRY_MAX_MS,
      shutdownTimeoutMs: config.LAKE_WRITER_SHUTDOWN_TIMEOUT_MS,
      stallTimeoutMs: config.LAKE_WRITER_STALL_TIMEOUT_MS,
      eventTimeWindow: {
        earliest: config.LAKE_WRITER_EVENT_TS_EARLIEST,
        maxAheadMs: config.LAKE_WRITER_EVENT_TS_MAX_AHEAD_MS,
      },
      clock: Date.now,
      logger,
      metrics,
      onFatal: (err) => {
        logger.fatal({ err, topic }, 'Kafka consumer gave up; exiting so the pod restarts');
        process.exit(1);
      },
    });
  const writers = [
    writerFor(
      config.LAKE_WRITER_TOPIC,
      config.LAKE_WRITER_GROUP_ID,
      classifyRecord,
      config.LAKE_WRITER_FORMAT,
    ),
    // Catalog objects are JSON Lines whatever the format: the bronze Parquet schema is the events' one.
    ...config.LAKE_WRITER_CATALOG_TOPICS.map((topic) =>
      writerFor(
        topic,
        catalogGroupId(config.LAKE_WRITER_GROUP_ID, topic),
        catalogClassifier(catalogKindOf(topic)!),
        'jsonl.gz',
      ),
    ),
  ];
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    registry,
    ready: () => writers.every((writer) => writer.isReady()),
    unhealthy: () =>
      writers
        .map((writer) => writer.stalled())
        .filter((stall) => stall !== null)
        .join('; ') || null,
  });
  onShutdown(logger, async () => {
    try {
      await Promise.all(writers.map((writer) => writer.stop()));
      await producer.disconnect();
    } finally {
      await ops.close();
    }
  });
  await Promise.all(writers.map((writer) => writer.start()));
  logger.info(
    {
      topic: config.LAKE_WRITER_TOPIC,
      catalogTopics: config.LAKE_WRITER_CATALOG_TOPICS,
      groupId: config.LAKE_WRITER_GROUP_ID,
      opsPort: ops.port,
    },
    'lake writer running',
  );
}

runCli(
  {
    name: 'lake-writer',
    usage: '',
    summary:
      'Writes the listening events of a Kafka topic to the lake (bronze, by event hour), and the catalog topics named in LAKE_WRITER_CATALOG_TOPICS (by ingestion hour); offsets are committed only once their objects are stored.',
    options: {},
    details: settingsHelp(lakeWriterEnvSchema),
  },
  async () => {
    await main();
    return undefined;
  },
);
