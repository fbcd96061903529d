import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What the writer holds for one partition, read at every scrape: gauges computed, never counted up and down. */
export interface PartitionHold {
  partition: number;
  /** Records consumed and not committed: buffered, or in the write in flight. */
  records: number;
  /** Age of the oldest of them, in ms; null when none. */
  oldestMs: number | null;
}

interface HoldSnapshot {
  topic: string;
  partitions: PartitionHold[];
  /** A partition whose oldest held record is older than this has stalled. */
  stallAfterMs: number;
}

export interface LakeWriterMetrics {
  recordsConsumed: Counter<'topic'>;
  recordsWritten: Counter<'topic'>;
  bytesWritten: Counter<'topic'>;
  objectsWritten: Counter<'topic'>;
  flushSeconds: Histogram<'topic'>;
  partitionLag: Gauge<'topic' | 'partition'>;
  storeRetries: Counter<'topic'>;
  deadLettered: Counter<'topic' | 'kind'>;
  commitFailures: Counter<'topic'>;
  alreadyStored: Counter<'topic'>;
  heldRecords: Gauge<'topic'>;
  oldestHeldSeconds: Gauge<'topic' | 'partition'>;
  stalledPartitions: Gauge<'topic'>;
  internalErrors: Counter<'topic' | 'stage'>;
  quarantined: Counter<'topic'>;
  skipped: Counter<'topic'>;
  /**
   * Makes the held-records, oldest-held and stalled gauges read a writer's state at every scrape; one
   * process may run several writers (the events topic and each catalog topic), each watched.
   */
  watch(snapshot: () => HoldSnapshot): void;
}

export function createLakeWriterMetrics(registry: Registry): LakeWriterMetrics {
  const registers = [registry];
  const snapshots: Array<() => HoldSnapshot> = [];
  const oldestHeldSeconds = new Gauge({
    name: 'lake_writer_oldest_held_seconds',
    help: 'Age of the oldest record consumed and not yet committed, per partition (0 when none).',
    labelNames: ['topic', 'partition'],
    registers,
    collect() {
      this.reset();
      for (const snapshot of snapshots) {
        const { topic, partitions } = snapshot();
        for (const p of partitions)
          this.set({ topic, partition: String(p.partition) }, p.oldestMs === null ? 0 : p.oldestMs / 1000);
      }
    },
  });
  return {
    oldestHeldSeconds,
    stalledPartitions: new Gauge({
      name: 'lake_writer_stalled_partitions',
      help: 'Partitions holding a record longer than LAKE_WRITER_STALL_TIMEOUT_MS without committing it.',
      labelNames: ['topic'],
      registers,
      collect() {
        for (const snapshot of snapshots) {
          const { topic, partitions, stallAfterMs } = snapshot();
          this.set({ topic }, partitions.filter((p) => (p.oldestMs ?? 0) >= stallAfterMs).length);
        }
      },
    }),
    internalErrors: new Counter({
      name: 'lake_writer_internal_errors_total',
      help: 'Unexpected failures caught at the record or flush boundary (stage: record, batch, encode, flush).',
      labelNames: ['topic', 'stage'],
      registers,
    }),
    quarantined: new Counter({
      name: 'lake_writer_quarantined_total',
      help: 'Dead-lettered records whose full bytes were stored under quarantine/ (the letter holds an excerpt).',
      labelNames: ['topic'],
      registers,
    }),
    skipped: new Counter({
      name: 'lake_writer_skipped_records_total',
      help: 'Records committed past without a lake row or a dead letter: tombstones of the compacted catalog topics.',
      labelNames: ['topic'],
      registers,
    }),
    watch(next) {
      snapshots.push(next);
    },
    recordsConsumed: new Counter({
      name: 'lake_writer_records_consumed_total',
      help: 'Records taken from Kafka, whatever became of them (lake, dead letter, skipped); a record read again after a rebalance counts again.',
      labelNames: ['topic'],
      registers,
    }),
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
      help: 'Records sent to the dead-letter topic, by kind (size, json, contract, internal).',
      labelNames: ['topic', 'kind'],
      registers,
    }),
    commitFailures: new Counter({
      name: 'lake_writer_commit_failures_total',
      help: 'Offset commits refused (usually a rebalance); the records are stored and re-read, not lost.',
      labelNames: ['topic'],
      registers,
    }),
    alreadyStored: new Counter({
      name: 'lake_writer_already_stored_records_total',
      help: 'Records skipped after a rebalance because the partition checkpoint says a previous owner stored them (its commit was refused).',
      labelNames: ['topic'],
      registers,
    }),
    heldRecords: new Gauge({
      name: 'lake_writer_held_records',
      help: 'Records consumed and held in memory (buffered or being written), not yet committed.',
      labelNames: ['topic'],
      registers,
      collect() {
        for (const snapshot of snapshots) {
          const { topic, partitions } = snapshot();
          this.set(
            { topic },
            partitions.reduce((n, p) => n + p.records, 0),
          );
        }
      },
    }),
  };
}
