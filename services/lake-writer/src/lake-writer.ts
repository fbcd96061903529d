import {
  DEFAULT_EVENT_TIME_WINDOW,
  type EventTimeWindowSettings,
  type Logger,
} from '@spotify-pipeline/shared';
import type { Consumer, EachBatchPayload, KafkaMessage } from '@spotify-pipeline/shared/kafka';
import { type CheckpointStore, checkpointSkip } from './checkpoints.js';
import { classifyRecord, type RecordClassifier } from './classify-record.js';
import type { IntakeContext, RecordOrigin } from './lake-line.js';
import type { MemoryBudget } from './memory-budget.js';
import type { LakeWriterMetrics, PartitionHold } from './metrics.js';
import {
  addDeadLetter,
  addLine,
  addSkipped,
  type BufferLimits,
  createPartitionBuffer,
  isDue,
  isFull,
  type PartitionBuffer,
} from './partition-buffer.js';
import { retryUntilAborted } from './retry-until-aborted.js';
import { type BatchWriterParams, type WriteControl, writeBatch } from './write-batch.js';

export interface LakeWriterParams extends Omit<BatchWriterParams, 'logger' | 'metrics'> {
  consumer: Consumer;
  limits: BufferLimits;
  shutdownTimeoutMs: number;
  clock: () => number;
  logger: Logger;
  metrics: LakeWriterMetrics;
  /** The consumer died for good (kafkajs gave up restarting): the process should exit non-zero. */
  onFatal: (err: unknown) => void;
  /** A partition that holds a record this long without committing it has stalled: health and metrics say so. */
  stallTimeoutMs: number;
  /** Events dated outside this window (relative to ingestion) are dead-lettered; the contract's default if unset. */
  eventTimeWindow?: EventTimeWindowSettings;
  /** Partition checkpoints in the lake, so a commit refused by a rebalance does not store records twice. */
  checkpoints?: CheckpointStore;
  /** What each record becomes; listening events (by event hour) unless the topic carries a catalog. */
  classify?: RecordClassifier;
  /** Bytes the whole process may hold across partitions and writers; unbounded (only `limits`) if unset. */
  budget?: MemoryBudget;
}

export interface LakeWriter {
  start(): Promise<void>;
  /** Stop fetching, flush every buffer, commit, leave the group. */
  stop(): Promise<void>;
  isReady(): boolean;
  /** Null while every partition advances; otherwise which partitions stalled, for `/healthz`. */
  stalled(): string | null;
}

interface PartitionState {
  partition: number;
  buffer: PartitionBuffer;
  /** The buffer being written; its records stay held (and counted) until committed. */
  inFlight: PartitionBuffer | null;
  flushing: Promise<void> | null;
  storeFailing: boolean;
  paused: boolean;
  /** Stopped because the process holds its whole memory budget; resumed when writes release some. */
  waitingForMemory: boolean;
  /** Stored offset whose commit was refused (a rebalance); retried on the next tick. */
  uncommitted: { offset: string; generation: number; since: number } | null;
  committed: bigint | null;
  highWatermark: bigint | null;
}

/** Records taken from a fetch between two turns of the event loop. */
const YIELD_EVERY_RECORDS = 500;

/**
 * The lake writer's loop. Records are appended to per-partition buffers inside `eachBatch`; a buffer that is
 * full or old is swapped out and written in the background (one write in flight per partition), and only
 * when every object of it is stored is `lastOffset + 1` committed. A partition whose write fails, or whose
 * next buffer fills while a write is still in flight, is paused and resumed when the write completes, so a
 * store outage stops fetching without stopping heartbeats. With a memory budget, all partitions of the process
 * together hold at most that many bytes: the same pause holds a partition while the budget is used up.
 */
export function createLakeWriter(params: LakeWriterParams): LakeWriter {
  const { consumer, topic, limits, clock, metrics } = params;
  const classify = params.classify ?? classifyRecord;
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
        inFlight: null,
        flushing: null,
        storeFailing: false,
        paused: false,
        waitingForMemory: false,
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
    const shouldPause =
      state.storeFailing ||
      state.waitingForMemory ||
      (state.flushing !== null && isFull(state.buffer, limits));
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
      state.uncommitted = { offset, generation: writtenIn, since: state.uncommitted?.since ?? clock() };
      logger.warn({ err, partition: state.partition, offset }, 'offset commit refused; retrying later');
    }
  };

  // A join restarted this partition from the offset committed before it, while a write from before the join
  // was still finishing: what was read since then is stored already. Dropping it and seeking past the
  // write keeps a rebalance from writing those records a second time.
  const skipStored = (state: PartitionState, offset: string) => {
    state.buffer = createPartitionBuffer();
    consumer.seek({ topic, partition: state.partition, offset });
  };

  /** After a stored buffer, before its commit: how far the partition is stored, for a next owner. */
  const writeCheckpoint = (state: PartitionState, next: string, control: WriteControl) => {
    const checkpoints = params.checkpoints;
    if (!checkpoints || state.committed === null) return Promise.resolve(true);
    const checkpoint = { from: state.committed.toString(), next };
    return retryUntilAborted(() => checkpoints.write(state.partition, checkpoint), {
      what: `writing the checkpoint of partition ${state.partition}`,
      maxMs: params.retryMaxMs,
      shouldAbort: control.shouldAbort,
      onFailure: (err, attempt) => {
        metrics.storeRetries.inc({ topic });
        control.onFailure(err, attempt);
      },
      sleep: params.sleep,
    });
  };

  /**
   * At a partition's first fetch after a join: what its checkpoint says is stored beyond Kafka's committed
   * offset is committed and skipped. True when the batch may be taken as it is; false when the partition was
   * moved (a seek) or the checkpoint could not be read (the batch is fetched again).
   */
  const resumeFromCheckpoint = async (state: PartitionState, batch: EachBatchPayload['batch']) => {
    const checkpoints = params.checkpoints;
    const fetchStart = BigInt(batch.firstOffset() ?? batch.highWatermark);
    if (!checkpoints) {
      state.committed = fetchStart;
      return true;
    }
    const joinedIn = generation;
    let skipTo: bigint | null;
    try {
      const checkpoint = await checkpoints.read(state.partition);
      skipTo = checkpointSkip(checkpoint, fetchStart, BigInt(batch.highWatermark));
    } catch (err) {
      logger.warn(
        { err, partition: state.partition },
        'could not read the partition checkpoint from the lake; fetching the partition again',
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, params.retryMaxMs)));
      return false;
    }
    if (joinedIn !== generation || !assigned.has(state.partition)) return false;
    state.committed = fetchStart;
    if (skipTo === null) return true;
    metrics.alreadyStored.inc({ topic }, Number(skipTo - fetchStart));
    logger.info(
      { partition: state.partition, from: fetchStart.toString(), to: skipTo.toString() },
      'skipping records a previous owner stored but could not commit (partition checkpoint)',
    );
    await commit(state, skipTo.toString(), generation);
    consumer.seek({ topic, partition: state.partition, offset: skipTo.toString() });
    return false;
  };

  /**
   * Writes one buffer and commits past it. Never rejects and never drops the records: writeBatch dead-letters
   * what cannot be stored record by record, and anything unexpected thrown here keeps the buffer and retries
   * it with backoff (the stall check reports a partition that does not get past it). The buffer is given up
   * uncommitted only when the partition is revoked or shutdown gave up: its owner reads it again.
   */
  const flush = async (state: PartitionState, buffer: PartitionBuffer) => {
    const started = clock();
    const writtenIn = generation;
    const control = {
      shouldAbort: () => abandoned || (!assigned.has(state.partition) && !stopping),
      onFailure: (err: unknown, attempt: number) => {
        if (!state.storeFailing)
          logger.warn({ err, partition: state.partition }, 'lake write failed; pausing');
        else if (attempt % 10 === 0)
          logger.warn({ err, partition: state.partition, attempt }, 'still failing');
        state.storeFailing = true;
        updateFlow(state);
      },
    };
    let stored = false;
    const attempted = await retryUntilAborted(
      async () => {
        stored = await writeBatch(writerParams, state.partition, buffer, control);
      },
      {
        what: `flushing partition ${state.partition}`,
        maxMs: params.retryMaxMs,
        shouldAbort: control.shouldAbort,
        onFailure: (err, attempt) => {
          metrics.internalErrors.inc({ topic, stage: 'flush' });
          logger.error(
            { err, partition: state.partition, attempt },
            'flush failed; keeping its records, retrying',
          );
        },
        sleep: params.sleep,
      },
    );
    if (!attempted) return;
    if (state.storeFailing) {
      state.storeFailing = false;
      logger.info({ partition: state.partition }, 'lake write recovered; resuming');
    }
    const next = buffer.lastOffset === null ? null : (BigInt(buffer.lastOffset) + 1n).toString();
    if (stored && next !== null) stored = await writeCheckpoint(state, next, control);
    if (!stored || next === null) {
      logger.warn(
        { partition: state.partition, records: buffer.records },
        'gave up an unstored buffer without committing (partition revoked or shutdown timed out); its owner reads it again',
      );
      return;
    }
    await commit(state, next, writtenIn);
    metrics.flushSeconds.observe({ topic }, (clock() - started) / 1000);
  };

  const startFlush = (state: PartitionState) => {
    if (state.flushing || state.buffer.records === 0) return;
    const buffer = state.buffer;
    state.buffer = createPartitionBuffer();
    state.inFlight = buffer;
    state.flushing = flush(state, buffer)
      .catch((err: unknown) => {
        metrics.internalErrors.inc({ topic, stage: 'flush' });
        logger.error({ err, partition: state.partition }, 'flush failed');
      })
      .finally(() => {
        state.inFlight = null;
        state.flushing = null;
        updateFlow(state);
        if (stopping || isDue(state.buffer, limits, clock())) startFlush(state);
        resumeWithinBudget();
      });
  };

  const budget = params.budget;
  budget?.track(() => {
    let buffered = 0;
    let inFlight = 0;
    for (const state of states.values()) {
      buffered += state.buffer.bytes;
      inFlight += state.inFlight?.bytes ?? 0;
    }
    return { buffered, inFlight };
  });

  /** Starts writing this writer's largest buffer that has no write in flight; false when there is none. */
  const flushLargest = () => {
    let largest: PartitionState | null = null;
    for (const state of states.values())
      if (!state.flushing && state.buffer.records > 0 && state.buffer.bytes > (largest?.buffer.bytes ?? -1))
        largest = state;
    if (largest) startFlush(largest);
    return largest !== null;
  };

  /**
   * Keeps the process inside its memory budget. From half the budget buffered, the largest buffer is written
   * early, so writing overlaps reading; with the whole budget held (buffers and writes not yet committed), the
   * partition stops taking records until a write releases memory. Returns how many more bytes may be taken
   * before the next check; 0 when the partition must stop (it is paused then).
   */
  const makeRoom = (state: PartitionState): number => {
    if (!budget) return Number.POSITIVE_INFINITY;
    let held = budget.held();
    if (held.buffered >= budget.bytes / 2 && flushLargest()) held = budget.held();
    const total = held.buffered + held.inFlight;
    if (total >= budget.bytes) {
      state.waitingForMemory = true;
      updateFlow(state);
      return 0;
    }
    return Math.max(budget.bytes / 64, Math.min(budget.bytes / 2 - held.buffered, budget.bytes - total));
  };

  /** Partitions stopped for memory go on once the process holds less than its budget again. */
  const resumeWithinBudget = () => {
    if (!budget || stopping) return;
    const waiting = [...states.values()].filter((state) => state.waitingForMemory);
    if (waiting.length === 0) return;
    // Writes in flight hold what is over the budget (from half of it buffered, makeRoom starts them), so
    // one of them completing brings the process back under it.
    const held = budget.held();
    if (held.buffered + held.inFlight >= budget.bytes) return;
    for (const state of waiting) {
      state.waitingForMemory = false;
      updateFlow(state);
    }
  };

  const holdOf = (state: PartitionState, now: number): PartitionHold => {
    const since = [state.inFlight?.openedAt, state.buffer.openedAt, state.uncommitted?.since].filter(
      (t): t is number => typeof t === 'number',
    );
    return {
      partition: state.partition,
      records: state.buffer.records + (state.inFlight?.records ?? 0),
      oldestMs: since.length > 0 ? Math.max(0, now - Math.min(...since)) : null,
    };
  };
  // A partition counts while it is assigned or still writing; a revoked one is its new owner's to advance.
  const holds = () => {
    const now = clock();
    return [...states.values()]
      .filter((state) => assigned.has(state.partition) || state.inFlight !== null)
      .map((state) => holdOf(state, now));
  };
  const stalledHolds = () => holds().filter((h) => (h.oldestMs ?? 0) >= params.stallTimeoutMs);
  metrics.watch(() => ({ topic, partitions: holds(), stallAfterMs: params.stallTimeoutMs }));
  let reportedStalls = new Set<number>();

  const tick = () => {
    const now = clock();
    for (const state of states.values()) {
      if (state.uncommitted && !state.flushing && assigned.has(state.partition))
        void commit(state, state.uncommitted.offset, state.uncommitted.generation);
      if (isDue(state.buffer, limits, now)) startFlush(state);
    }
    resumeWithinBudget();
    const stalled = stalledHolds();
    for (const hold of stalled)
      if (!reportedStalls.has(hold.partition))
        logger.error(
          {
            partition: hold.partition,
            records: hold.records,
            seconds: Math.round((hold.oldestMs ?? 0) / 1000),
          },
          'partition stalled: records held without a commit for longer than LAKE_WRITER_STALL_TIMEOUT_MS; the warnings before this say why',
        );
    reportedStalls = new Set(stalled.map((h) => h.partition));
  };

  /** One record into the buffer: a lake row or a dead letter, never an exception. */
  const take = (
    state: PartitionState,
    message: KafkaMessage,
    origin: RecordOrigin,
    intake: IntakeContext,
  ) => {
    const now = intake.now;
    const outcome = classify(message.value, origin, intake);
    if (outcome.ok === false && outcome.kind === 'internal')
      metrics.internalErrors.inc({ topic, stage: 'record' });
    if (outcome.ok === 'skip') {
      addSkipped(state.buffer, message.offset, now);
      metrics.skipped.inc({ topic });
    } else if (outcome.ok)
      addLine(
        state.buffer,
        {
          offset: message.offset,
          line: outcome.line,
          date: outcome.date,
          hour: outcome.hour,
          bytes: outcome.bytes,
        },
        now,
      );
    else
      addDeadLetter(
        state.buffer,
        {
          offset: message.offset,
          key: message.key,
          value: message.value,
          reason: outcome.reason,
          kind: outcome.kind,
        },
        now,
      );
  };

  const eachBatch = async ({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) => {
    inBatch++;
    let consumed = 0;
    try {
      const state = stateOf(batch.partition);
      const now = clock();
      const intake = {
        ingestedAt: new Date(now).toISOString(),
        now,
        window: params.eventTimeWindow ?? DEFAULT_EVENT_TIME_WINDOW,
      };
      const origin = { topic: batch.topic, partition: batch.partition, offset: '' };
      if (state.committed === null && !(await resumeFromCheckpoint(state, batch))) return;
      const batchGeneration = generation;
      let taken = 0;
      let room = makeRoom(state);
      for (const message of batch.messages) {
        // A fetch holds thousands of records: between slices the event loop serves the probes and the
        // heartbeats, which a starved CPU would otherwise delay past their timeouts (issue 15).
        if (++taken % YIELD_EVERY_RECORDS === 0) await new Promise((resolve) => setImmediate(resolve));
        if (!isRunning() || isStale() || generation !== batchGeneration) break;
        // Limits hold record by record (bytes as consumed, after decompression), not only between fetches.
        if (isFull(state.buffer, limits)) {
          startFlush(state);
          // A write is still in flight: stop here; the partition is paused and the rest fetched again later.
          if (isFull(state.buffer, limits)) break;
        }
        if (room <= 0) {
          room = makeRoom(state);
          // The process holds its whole budget: the partition is paused, the rest fetched again later.
          if (room <= 0) break;
        }
        origin.offset = message.offset;
        const before = state.buffer.bytes;
        take(state, message, origin, intake);
        room -= state.buffer.bytes - before;
        consumed++;
        // Only the fetch position moves here; the committed offset moves in flush(), after the store.
        resolveOffset(message.offset);
      }
      state.highWatermark = BigInt(batch.highWatermark);
      reportLag(state);
      if (isFull(state.buffer, limits)) startFlush(state);
      updateFlow(state);
    } catch (err) {
      // Nothing may escape to kafkajs: it would restart the consumer on the same records, for ever. What was
      // taken is buffered; what was not is fetched again from the last resolved offset.
      metrics.internalErrors.inc({ topic, stage: 'batch' });
      logger.error({ err, partition: batch.partition }, 'batch handling failed; continuing');
    } finally {
      if (consumed > 0) metrics.recordsConsumed.inc({ topic }, consumed);
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
      state.buffer = createPartitionBuffer();
      state.paused = false;
      state.waitingForMemory = false;
      state.committed = null;
      if (!assigned.has(state.partition)) {
        // Its commit was refused (the rebalance): the new owner re-reads from the last committed offset.
        state.uncommitted = null;
        metrics.partitionLag.remove({ topic, partition: String(state.partition) });
      }
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

    stalled() {
      const stalled = stalledHolds();
      if (stalled.length === 0) return null;
      return `stalled: ${stalled
        .map(
          (h) =>
            `partition ${h.partition} has held ${h.records} records for ${Math.round((h.oldestMs ?? 0) / 1000)} s`,
        )
        .join('; ')} without a commit (limit LAKE_WRITER_STALL_TIMEOUT_MS=${params.stallTimeoutMs})`;
    },
  };
}
