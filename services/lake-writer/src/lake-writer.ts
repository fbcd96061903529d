import type { Logger } from '@spotify-pipeline/shared';
import type { Consumer, EachBatchPayload } from '@spotify-pipeline/shared/kafka';
import { toLakeLine } from './lake-line.js';
import type { LakeWriterMetrics } from './metrics.js';
import {
  addDeadLetter,
  addLine,
  type BufferLimits,
  createPartitionBuffer,
  isDue,
  isFull,
  type PartitionBuffer,
} from './partition-buffer.js';
import { type BatchWriterParams, writeBatch } from './write-batch.js';

export interface LakeWriterParams extends Omit<BatchWriterParams, 'logger' | 'metrics'> {
  consumer: Consumer;
  limits: BufferLimits;
  shutdownTimeoutMs: number;
  clock: () => number;
  logger: Logger;
  metrics: LakeWriterMetrics;
  /** The consumer died for good (kafkajs gave up restarting): the process should exit non-zero. */
  onFatal: (err: unknown) => void;
}

export interface LakeWriter {
  start(): Promise<void>;
  /** Stop fetching, flush every buffer, commit, leave the group. */
  stop(): Promise<void>;
  isReady(): boolean;
}

interface PartitionState {
  partition: number;
  buffer: PartitionBuffer;
  flushing: Promise<void> | null;
  storeFailing: boolean;
  paused: boolean;
  /** Stored offset whose commit was refused (a rebalance); retried on the next tick. */
  uncommitted: { offset: string; generation: number } | null;
  committed: bigint | null;
  highWatermark: bigint | null;
}

/**
 * The lake writer's loop. Records are appended to per-partition buffers inside `eachBatch`; a buffer that is
 * full or old is swapped out and written in the background (one write in flight per partition), and only
 * when every object of it is stored is `lastOffset + 1` committed. A partition whose write fails, or whose
 * next buffer fills while a write is still in flight, is paused and resumed when the write completes, so a
 * store outage stops fetching without stopping heartbeats.
 */
export function createLakeWriter(params: LakeWriterParams): LakeWriter {
  const { consumer, topic, limits, clock, metrics } = params;
  const logger = params.logger.child({ component: 'lake-writer' });
  const writerParams: BatchWriterParams = { ...params, logger };
  const states = new Map<number, PartitionState>();
  let assigned = new Set<number>();
  let joined = false;
  /** Counts group joins: a write started before the latest join finished under an older assignment. */
  let generation = 0;
  let stopping = false;
  let abandoned = false;
  let inBatch = 0;
  let ticker: NodeJS.Timeout | null = null;

  const stateOf = (partition: number): PartitionState => {
    let state = states.get(partition);
    if (!state) {
      state = {
        partition,
        buffer: createPartitionBuffer(),
        flushing: null,
        storeFailing: false,
        paused: false,
        uncommitted: null,
        committed: null,
        highWatermark: null,
      };
      states.set(partition, state);
    }
    return state;
  };

  const updateFlow = (state: PartitionState) => {
    if (stopping) return;
    const shouldPause = state.storeFailing || (state.flushing !== null && isFull(state.buffer, limits));
    if (shouldPause === state.paused) return;
    state.paused = shouldPause;
    if (shouldPause) consumer.pause([{ topic, partitions: [state.partition] }]);
    else consumer.resume([{ topic, partitions: [state.partition] }]);
  };

  const reportLag = (state: PartitionState) => {
    if (state.highWatermark === null || state.committed === null) return;
    const lag = state.highWatermark - state.committed;
    metrics.partitionLag.set({ topic, partition: String(state.partition) }, Number(lag > 0n ? lag : 0n));
  };

  const commit = async (state: PartitionState, offset: string, writtenIn: number) => {
    try {
      await consumer.commitOffsets([{ topic, partition: state.partition, offset }]);
      state.uncommitted = null;
      state.committed = BigInt(offset);
      reportLag(state);
      if (writtenIn !== generation && assigned.has(state.partition) && !stopping) skipStored(state, offset);
    } catch (err) {
      metrics.commitFailures.inc({ topic });
      state.uncommitted = { offset, generation: writtenIn };
      logger.warn({ err, partition: state.partition, offset }, 'offset commit refused; retrying later');
    }
  };

  // A join restarted this partition from the offset committed before it, while a write from before the join
  // was still finishing: what was read since then is stored already. Dropping it and seeking past the
  // write keeps a rebalance from writing those records a second time.
  const skipStored = (state: PartitionState, offset: string) => {
    metrics.heldRecords.dec({ topic }, state.buffer.records);
    state.buffer = createPartitionBuffer();
    consumer.seek({ topic, partition: state.partition, offset });
  };

  const flush = async (state: PartitionState, buffer: PartitionBuffer) => {
    const started = clock();
    const writtenIn = generation;
    const stored = await writeBatch(writerParams, state.partition, buffer, {
      shouldAbort: () => abandoned || (!assigned.has(state.partition) && !stopping),
      onFailure: (err, attempt) => {
        if (!state.storeFailing)
          logger.warn({ err, partition: state.partition }, 'lake write failed; pausing');
        else if (attempt % 10 === 0)
          logger.warn({ err, partition: state.partition, attempt }, 'still failing');
        state.storeFailing = true;
        updateFlow(state);
      },
    });
    if (state.storeFailing) {
      state.storeFailing = false;
      logger.info({ partition: state.partition }, 'lake write recovered; resuming');
    }
    metrics.heldRecords.dec({ topic }, buffer.records);
    if (!stored || buffer.lastOffset === null) {
      logger.warn({ partition: state.partition }, 'dropped an unstored buffer without committing');
      return;
    }
    await commit(state, (BigInt(buffer.lastOffset) + 1n).toString(), writtenIn);
    metrics.flushSeconds.observe({ topic }, (clock() - started) / 1000);
  };

  const startFlush = (state: PartitionState) => {
    if (state.flushing || state.buffer.records === 0) return;
    const buffer = state.buffer;
    state.buffer = createPartitionBuffer();
    state.flushing = flush(state, buffer)
      .catch((err: unknown) => logger.error({ err, partition: state.partition }, 'flush failed'))
      .finally(() => {
        state.flushing = null;
        updateFlow(state);
        if (stopping || isDue(state.buffer, limits, clock())) startFlush(state);
      });
  };

  const tick = () => {
    const now = clock();
    for (const state of states.values()) {
      if (state.uncommitted && !state.flushing && assigned.has(state.partition))
        void commit(state, state.uncommitted.offset, state.uncommitted.generation);
      if (isDue(state.buffer, limits, now)) startFlush(state);
    }
  };

  const eachBatch = async ({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) => {
    inBatch++;
    try {
      const state = stateOf(batch.partition);
      const now = clock();
      const ingestedAt = new Date(now).toISOString();
      const heldBefore = state.buffer.records;
      const origin = { topic: batch.topic, partition: batch.partition, offset: '' };
      state.committed ??= BigInt(batch.firstOffset() ?? batch.highWatermark);
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        origin.offset = message.offset;
        const row = toLakeLine(message.value, origin, ingestedAt);
        if (row.ok) addLine(state.buffer, { offset: message.offset, ...row }, now);
        else {
          addDeadLetter(
            state.buffer,
            {
              offset: message.offset,
              key: message.key,
              value: message.value,
              reason: row.reason,
              kind: row.kind,
            },
            now,
          );
        }
        // Only the fetch position moves here; the committed offset moves in flush(), after the store.
        resolveOffset(message.offset);
      }
      metrics.heldRecords.inc({ topic }, state.buffer.records - heldBefore);
      state.highWatermark = BigInt(batch.highWatermark);
      reportLag(state);
      if (isFull(state.buffer, limits)) startFlush(state);
      updateFlow(state);
    } finally {
      inBatch--;
    }
  };

  const onGroupJoin = (memberAssignment: Record<string, number[]>) => {
    assigned = new Set(memberAssignment[topic] ?? []);
    joined = true;
    generation++;
    // kafkajs fetches every assigned partition again from its committed offset after a join, so unflushed
    // records would arrive twice: drop them here (nothing of them was committed). Writes in flight finish
    // and commit, which is safe: everything below their offset is stored.
    for (const state of states.values()) {
      metrics.heldRecords.dec({ topic }, state.buffer.records);
      state.buffer = createPartitionBuffer();
      state.paused = false;
      state.committed = null;
      if (!assigned.has(state.partition))
        metrics.partitionLag.remove({ topic, partition: String(state.partition) });
    }
    consumer.resume([{ topic }]);
    logger.info({ partitions: [...assigned] }, 'joined the group');
  };

  const run = async () => {
    consumer.on(consumer.events.GROUP_JOIN, (event) => onGroupJoin(event.payload.memberAssignment));
    // Best effort before partitions move: write what we hold so the next owner re-reads less.
    consumer.on(consumer.events.REBALANCING, () => {
      joined = false;
      for (const state of states.values()) startFlush(state);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) params.onFatal(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    // Checked often enough that an age-triggered flush starts at most 250 ms late (freshness budget).
    ticker = setInterval(tick, Math.min(250, Math.max(20, Math.floor(limits.maxAgeMs / 10))));
  };
  let started: Promise<void> | null = null;

  return {
    start() {
      started = run();
      return started;
    },

    async stop() {
      // A SIGTERM during start waits for it: pausing a consumer that is not running yet would throw.
      await started?.catch(() => {});
      stopping = true;
      joined = false;
      consumer.pause([{ topic }]);
      const deadline = clock() + params.shutdownTimeoutMs;
      while (inBatch > 0 && clock() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const state of states.values()) startFlush(state);
      const drained = async () => {
        for (;;) {
          const pending = [...states.values()].map((s) => s.flushing).filter((p) => p !== null);
          if (pending.length === 0) return;
          await Promise.all(pending);
        }
      };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - clock()));
      });
      const outcome = await Promise.race([drained().then(() => 'drained' as const), timedOut]);
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      for (const state of states.values())
        if (state.uncommitted) await commit(state, state.uncommitted.offset, state.uncommitted.generation);
      if (outcome === 'timeout') abandoned = true;
      await consumer.disconnect();
      if (outcome === 'timeout')
        throw new Error(
          `could not store every buffer within ${params.shutdownTimeoutMs} ms; left uncommitted`,
        );
    },

    isReady: () => joined && !stopping,
  };
}
