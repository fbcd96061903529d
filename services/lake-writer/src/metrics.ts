import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';

export interface LakeWriterMetrics {
  recordsWritten: Counter<'topic'>;
  bytesWritten: Counter<'topic'>;
  objectsWritten: Counter<'topic'>;
  flushSeconds: Histogram<'topic'>;
  partitionLag: Gauge<'topic' | 'partition'>;
  storeRetries: Counter<'topic'>;
  deadLettered: Counter<'topic' | 'kind'>;
  commitFailures: Counter<'topic'>;
  heldRecords: Gauge<'topic'>;
}

export function createLakeWriterMetrics(registry: Registry): LakeWriterMetrics {
  const registers = [registry];
  return {
    recordsWritten: new Counter({
      name: 'lake_writer_records_written_total',
      help: 'Records stored in bronze objects (counted once their object is acknowledged).',
      labelNames: ['topic'],
      registers,
    }),
    bytesWritten: new Counter({
      name: 'lake_writer_bytes_written_total',
      help: 'Compressed bytes of the bronze objects stored.',
      labelNames: ['topic'],
      registers,
    }),
    objectsWritten: new Counter({
      name: 'lake_writer_objects_written_total',
      help: 'Bronze objects stored.',
      labelNames: ['topic'],
      registers,
    }),
    flushSeconds: new Histogram({
      name: 'lake_writer_flush_duration_seconds',
      help: 'From taking a partition buffer to its offsets committed, retries included.',
      labelNames: ['topic'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    partitionLag: new Gauge({
      name: 'lake_writer_partition_lag',
      help: 'Records not yet committed: the high watermark minus the committed offset, per partition.',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    storeRetries: new Counter({
      name: 'lake_writer_store_retries_total',
      help: 'Failed object-store or dead-letter writes that were retried.',
      labelNames: ['topic'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'lake_writer_dead_lettered_total',
      help: 'Records sent to the dead-letter topic, by kind (json, contract, size).',
      labelNames: ['topic', 'kind'],
      registers,
    }),
    commitFailures: new Counter({
      name: 'lake_writer_commit_failures_total',
      help: 'Offset commits refused (usually a rebalance); the records are stored and re-read, not lost.',
      labelNames: ['topic'],
      registers,
    }),
    heldRecords: new Gauge({
      name: 'lake_writer_held_records',
      help: 'Records consumed and held in memory (buffered or being written), not yet committed.',
      labelNames: ['topic'],
      registers,
    }),
  };
}
