import { createLogger } from '@spotify-pipeline/shared';
import type { Consumer, EachBatchPayload } from '@spotify-pipeline/shared/kafka';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { sampleEvent } from '../test/sample-event.js';
import type { Checkpoint, CheckpointStore } from './checkpoints.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { LakeStore } from './lake-store.js';
import { createLakeWriter } from './lake-writer.js';
import { createMemoryBudget, type MemoryBudget } from './memory-budget.js';
import { createLakeWriterMetrics } from './metrics.js';
import type { HourGroup } from './partition-buffer.js';

const TOPIC = 'listening-events';

/** The slice of a kafkajs consumer the writer uses, recording what it is asked to do. */
function fakeConsumer() {
  const handlers = new Map<string, (event: { payload: unknown }) => void>();
  const log: string[] = [];
  const broker = { refuseCommits: false };
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: (name: string, handler: (event: { payload: unknown }) => void) => handlers.set(name, handler),
    connect: async () => {},
    subscribe: async () => {},
    run: async (options: { eachBatch: typeof eachBatch }) => {
      eachBatch = options.eachBatch;
    },
    pause: (topics: Array<{ partitions?: number[] }>) => log.push(`pause ${topics[0]?.partitions ?? 'all'}`),
    resume: (topics: Array<{ partitions?: number[] }>) =>
      log.push(`resume ${topics[0]?.partitions ?? 'all'}`),
    commitOffsets: async (offsets: Array<{ partition: number; offset: string }>) => {
      if (broker.refuseCommits) throw new Error('The group is rebalancing');
      log.push(`commit ${offsets[0]?.partition}@${offsets[0]?.offset}`);
    },
    seek: (target: { partition: number; offset: string }) =>
      log.push(`seek ${target.partition}@${target.offset}`),
    disconnect: async () => {},
  };
  const join = (partitions: number[]) =>
    handlers.get('join')?.({ payload: { memberAssignment: { [TOPIC]: partitions } } });
  const deliver = async (partition: number, values: Array<string | null>, firstOffset = 0) => {
    const messages = values.map((value, i) => ({
      offset: String(firstOffset + i),
      key: null,
      value: value === null ? null : Buffer.from(value),
    }));
    const resolved: string[] = [];
    await eachBatch?.({
      batch: {
        topic: TOPIC,
        partition,
        highWatermark: String(firstOffset + values.length),
        messages,
        firstOffset: () => String(firstOffset),
      },
      resolveOffset: (offset: string) => resolved.push(offset),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
    return resolved;
  };
  return { consumer: consumer as unknown as Consumer, log, join, deliver, broker };
}

function setup(
  options: {
    failPuts?: number;
    maxEvents?: number;
    maxAgeMs?: number;
    gate?: Promise<void>;
    encode?: (group: HourGroup) => Promise<Buffer>;
    stallTimeoutMs?: number;
    checkpoints?: CheckpointStore;
    budget?: MemoryBudget;
  } = {},
) {
  const fake = fakeConsumer();
  let failures = options.failPuts ?? 0;
  const puts: string[] = [];
  const store: LakeStore = {
    put: async (key) => {
      fake.log.push(`put ${key.split('/').pop()}`);
      await options.gate;
      if (failures-- > 0) throw new Error('store down');
      puts.push(key);
    },
  };
  const letters: string[] = [];
  const letterOffsets: string[] = [];
  const deadLetters: DeadLetterSink = {
    send: async (_source, batch) => {
      fake.log.push(`dlq ${batch.length}`);
      letters.push(...batch.map((l) => l.reason));
      letterOffsets.push(...batch.map((l) => l.offset));
      for (const l of batch) l.sent = true;
    },
  };
  const registry = new Registry();
  const writer = createLakeWriter({
    consumer: fake.consumer,
    topic: TOPIC,
    store,
    deadLetters,
    limits: { maxEvents: options.maxEvents ?? 3, maxBytes: 1 << 30, maxAgeMs: options.maxAgeMs ?? 3_600_000 },
    format: 'jsonl.gz',
    gzipLevel: 1,
    retryMaxMs: 1,
    shutdownTimeoutMs: 5000,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
    clock: Date.now,
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: createLakeWriterMetrics(registry),
    onFatal: () => {
      throw new Error('unexpected fatal');
    },
    ...(options.encode ? { encode: options.encode } : {}),
    ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const held = async () => (await metric('lake_writer_held_records'))[0]?.value;
  return { ...fake, writer, puts, letters, letterOffsets, metric, held };
}

const event = (ts: string) => JSON.stringify(sampleEvent({ event_ts: ts }));

describe('createLakeWriter', () => {
  it('commits a partition only after its objects and dead letters are stored', async () => {
    const t = setup();
    await t.writer.start();
    t.join([0]);
    const resolved = await t.deliver(0, [
      event('2026-01-01T10:00:00.000Z'),
      '{bad',
      event('2026-01-01T11:30:00.000Z'),
    ]);
    expect(resolved).toEqual(['0', '1', '2']);
    await vi.waitFor(() => expect(t.log).toContain('commit 0@3'));
    const commitAt = t.log.indexOf('commit 0@3');
    expect(
      t.log
        .slice(0, commitAt)
        .filter((l) => l.startsWith('put'))
        .sort(),
    ).toEqual(['put listening-events+0+0-0.jsonl.gz', 'put listening-events+0+2-2.jsonl.gz']);
    expect(t.log.slice(0, commitAt)).toContain('dlq 1');
    expect(t.puts.map((k) => k.split('/').slice(2, 4).join('/')).sort()).toEqual([
      'date=2026-01-01/hour=10',
      'date=2026-01-01/hour=11',
    ]);
    expect(t.letters[0]).toMatch(/not valid JSON/);
    await t.writer.stop();
  });

  it('pauses a partition while the store fails, never commits early, and resumes by itself', async () => {
    const t = setup({ failPuts: 3 });
    await t.writer.start();
    t.join([0]);
    await t.deliver(0, [
      event('2026-01-01T10:00:00.000Z'),
      event('2026-01-01T10:00:01.000Z'),
      event('2026-01-01T10:00:02.000Z'),
    ]);
    await vi.waitFor(() => expect(t.log).toContain('commit 0@3'), { timeout: 5000 });
    const pauseAt = t.log.indexOf('pause 0');
    const resumeAt = t.log.indexOf('resume 0');
    const commitAt = t.log.indexOf('commit 0@3');
    expect(pauseAt).toBeGreaterThan(-1);
    expect(t.log.filter((l) => l.startsWith('put'))).toHaveLength(4);
    expect(t.log.slice(0, commitAt).filter((l) => l.startsWith('commit'))).toEqual([]);
    expect(resumeAt).toBeGreaterThan(commitAt);
    await t.writer.stop();
  });

  it('flushes partial buffers on stop and drops unflushed records on a rebalance without committing', async () => {
    const t = setup({ maxEvents: 100 });
    await t.writer.start();
    t.join([0, 1]);
    await t.deliver(0, [event('2026-01-01T10:00:00.000Z')], 7);
    t.join([1]);
    await t.deliver(1, [event('2026-01-01T10:00:00.000Z'), event('2026-01-01T10:00:00.000Z')], 40);
    await t.writer.stop();
    expect(t.log.filter((l) => l.startsWith('commit'))).toEqual(['commit 1@42']);
    expect(t.puts.map((k) => k.split('/').pop())).toEqual(['listening-events+1+40-41.jsonl.gz']);
  });

  it('skips what a write from before a rejoin already stored instead of writing it twice', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const t = setup({ gate, maxEvents: 3 });
    await t.writer.start();
    t.join([0]);
    const batch = [
      event('2026-01-01T10:00:00.000Z'),
      event('2026-01-01T10:00:01.000Z'),
      event('2026-01-01T10:00:02.000Z'),
    ];
    await t.deliver(0, batch);
    // The group rebalances while that write hangs; kafkajs re-reads the partition from its committed offset.
    t.join([0]);
    await t.deliver(0, batch.slice(0, 2));
    open();
    await vi.waitFor(() => expect(t.log).toContain('seek 0@3'));
    expect(t.log.indexOf('seek 0@3')).toBeGreaterThan(t.log.indexOf('commit 0@3'));
    await t.writer.stop();
    expect(t.puts.map((k) => k.split('/').pop())).toEqual(['listening-events+0+0-2.jsonl.gz']);
    expect(t.log.filter((l) => l.startsWith('commit'))).toEqual(['commit 0@3']);
  });

  it('dead-letters the one record a group cannot be encoded with, stores the rest, and commits past both', async () => {
    const t = setup({
      maxEvents: 4,
      encode: async (group) => {
        if (group.lines.some((line) => line.includes('poison'))) throw new TypeError('cannot encode poison');
        return Buffer.from(group.lines.join('\n'));
      },
    });
    await t.writer.start();
    t.join([0]);
    const ts = '2026-01-01T10:00:00.000Z';
    await t.deliver(0, [
      event(ts),
      event(ts),
      JSON.stringify(sampleEvent({ event_ts: ts, track_name: 'poison' })),
      event(ts),
    ]);
    await vi.waitFor(() => expect(t.log).toContain('commit 0@4'));
    expect(t.puts.map((k) => k.split('/').pop())).toEqual(['listening-events+0+0-3.jsonl.gz']);
    expect(t.letterOffsets).toEqual(['2']);
    expect(t.letters[0]).toMatch(/could not be written to the lake: cannot encode poison/);
    expect(await t.held()).toBe(0);
    expect((await t.metric('lake_writer_internal_errors_total')).map((v) => v.labels.stage)).toEqual([
      'encode',
    ]);
    await t.writer.stop();
  });

  it('keeps the held-records gauge exact through store failures and a rebalance', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const t = setup({ failPuts: 2, maxEvents: 3, gate });
    await t.writer.start();
    t.join([0, 1]);
    const ts = '2026-01-01T10:00:00.000Z';
    await t.deliver(0, [event(ts), event(ts), event(ts)]);
    await t.deliver(1, [event(ts)]);
    expect(await t.held()).toBe(4);
    t.join([0]);
    expect(await t.held()).toBe(3);
    open();
    await vi.waitFor(() => expect(t.log).toContain('commit 0@3'), { timeout: 5000 });
    expect(await t.held()).toBe(0);
    await t.writer.stop();
  });

  it('stops taking records mid-batch when a full buffer waits for a write in flight', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const t = setup({ maxEvents: 3, gate });
    await t.writer.start();
    t.join([0]);
    const ts = '2026-01-01T10:00:00.000Z';
    const resolved = await t.deliver(
      0,
      Array.from({ length: 10 }, () => event(ts)),
    );
    // Three went to the write in flight, three filled the next buffer; the other four are fetched again.
    expect(resolved).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(t.log).toContain('pause 0');
    expect(await t.held()).toBe(6);
    // Consumed counts what was taken, not what was fetched: the bench waits on it before stopping the writer.
    expect((await t.metric('lake_writer_records_consumed_total'))[0]?.value).toBe(6);
    open();
    await vi.waitFor(() => expect(t.log).toContain('commit 0@6'));
    expect(t.log.indexOf('resume 0')).toBeGreaterThan(t.log.indexOf('pause 0'));
    await t.writer.stop();
  });

  it('holds every partition together inside the memory budget: writes early, stops at the budget, goes on after a commit', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const ts = '2026-01-01T10:00:00.000Z';
    const events = Array.from({ length: 20 }, () => event(ts));
    const lineBytes = Math.max(...events.map((e) => Buffer.byteLength(e))) + 100;
    // About ten lines: the per-partition limits (1000 events, 1 GiB) never trigger here, only the budget.
    const budget = createMemoryBudget(10 * lineBytes);
    const t = setup({ maxEvents: 1000, gate, budget });
    await t.writer.start();
    t.join([0, 1]);
    const first = await t.deliver(0, events);
    // Half the budget buffered started a write of partition 0; the whole budget held stopped it mid-fetch.
    await vi.waitFor(() => expect(t.log.some((l) => l.startsWith('put '))).toBe(true));
    expect(first.length).toBeGreaterThan(1);
    expect(first.length).toBeLessThan(events.length);
    expect(t.log).toContain('pause 0');
    const held = budget.held();
    expect(held.inFlight).toBeGreaterThan(0);
    expect(held.buffered + held.inFlight).toBeLessThan(budget.bytes + lineBytes);
    // Partition 1 takes nothing while the process holds its budget, however little it holds itself.
    expect(await t.deliver(1, events.slice(0, 5))).toEqual([]);
    expect(t.log).toContain('pause 1');

    open();
    await vi.waitFor(() => expect(t.log).toContain('resume 1'));
    expect(t.log).toContain('resume 0');
    expect(t.log.filter((l) => l.startsWith('commit 0@')).length).toBeGreaterThan(0);
    // As kafkajs does: a paused partition is not fetched; a resumed one is fetched from its last resolved offset.
    const flowOf = (partition: number) =>
      t.log.filter((l) => l === `pause ${partition}` || l === `resume ${partition}`).at(-1);
    const drain = async (partition: number, values: string[], from: number) => {
      for (let next = from; next < values.length; ) {
        await vi.waitFor(() => expect(flowOf(partition)).not.toBe(`pause ${partition}`));
        next += (await t.deliver(partition, values.slice(next), next)).length;
      }
    };
    await drain(0, events, first.length);
    await drain(1, events.slice(0, 5), 0);
    await t.writer.stop();
    const commits = t.log.filter((l) => l.startsWith('commit'));
    expect(commits).toContain('commit 0@20');
    expect(commits).toContain('commit 1@5');
    expect(await t.held()).toBe(0);
  });

  it('lets the event loop turn inside a large fetch, and stops a batch a rejoin made stale meanwhile', async () => {
    const t = setup({ maxEvents: 100_000 });
    await t.writer.start();
    t.join([0]);
    const ts = '2026-01-01T10:00:00.000Z';
    // The probes are served by the same event loop: something queued now must run before the batch ends.
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    const resolved = await t.deliver(
      0,
      Array.from({ length: 1200 }, () => event(ts)),
    );
    expect(turned).toBe(true);
    expect(resolved).toHaveLength(1200);
    // A rejoin while the batch waits for its turn: what was fetched before it is fetched again, not taken.
    setImmediate(() => t.join([0]));
    const stale = await t.deliver(
      0,
      Array.from({ length: 1200 }, () => event(ts)),
      1200,
    );
    expect(stale.length).toBeLessThan(1200);
    await t.writer.stop();
  });

  it('reports a partition that holds records too long without a commit, and clears it once it advances', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const t = setup({ maxEvents: 1, gate, stallTimeoutMs: 200 });
    await t.writer.start();
    t.join([0, 1]);
    await t.deliver(1, [event('2026-01-01T10:00:00.000Z')]);
    expect(t.writer.stalled()).toBeNull();
    await vi.waitFor(() => expect(t.writer.stalled()).toMatch(/partition 1 has held 1 records for \d+ s/));
    expect((await t.metric('lake_writer_stalled_partitions'))[0]?.value).toBe(1);
    expect(
      (await t.metric('lake_writer_oldest_held_seconds')).find((v) => v.labels.partition === '1')?.value,
    ).toBeGreaterThan(0.19);
    open();
    await vi.waitFor(() => expect(t.writer.stalled()).toBeNull());
    expect((await t.metric('lake_writer_stalled_partitions'))[0]?.value).toBe(0);
    await t.writer.stop();
  });

  it('does not report a partition it lost in a rebalance as stalled, even with a refused commit', async () => {
    const t = setup({ maxEvents: 1, stallTimeoutMs: 200 });
    await t.writer.start();
    t.join([0, 1]);
    t.broker.refuseCommits = true;
    await t.deliver(1, [event('2026-01-01T10:00:00.000Z')]);
    await vi.waitFor(() => expect(t.puts).toHaveLength(1));
    t.join([0]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(t.writer.stalled()).toBeNull();
    t.broker.refuseCommits = false;
    await t.writer.stop();
  });
});

/** Checkpoints in memory, shared by the writers of one test as the lake is; `unreadable` fails the next reads. */
function memoryCheckpoints(log: () => string[]) {
  const saved = new Map<number, Checkpoint>();
  const state = { unreadable: 0 };
  const store: CheckpointStore = {
    read: async (partition) => {
      if (state.unreadable-- > 0) throw new Error('store down');
      return saved.get(partition) ?? null;
    },
    write: async (partition, checkpoint) => {
      log().push(`checkpoint ${partition}@${checkpoint.from}-${checkpoint.next}`);
      saved.set(partition, checkpoint);
    },
  };
  return { store, saved, state };
}

describe('createLakeWriter with partition checkpoints', () => {
  const hourOf = (i: number) => event(`2026-01-01T10:00:0${i}.000Z`);
  const three = [hourOf(0), hourOf(1), hourOf(2)];

  it('writes the checkpoint after the objects and before the commit', async () => {
    let t: ReturnType<typeof setup> | undefined;
    const checkpoints = memoryCheckpoints(() => t!.log);
    t = setup({ maxEvents: 3, checkpoints: checkpoints.store });
    await t.writer.start();
    t.join([0]);
    await t.deliver(0, three, 10);
    await vi.waitFor(() => expect(t!.log).toContain('commit 0@13'));
    const order = t.log.filter((l) => /^(put|checkpoint|commit)/.test(l));
    expect(order).toEqual(['put listening-events+0+10-12.jsonl.gz', 'checkpoint 0@10-13', 'commit 0@13']);
    await t.writer.stop();
  });

  it('a next owner skips what a refused commit left behind instead of storing it again', async () => {
    const log: string[] = [];
    const checkpoints = memoryCheckpoints(() => log);
    const first = setup({ maxEvents: 3, checkpoints: checkpoints.store });
    await first.writer.start();
    first.join([0]);
    first.broker.refuseCommits = true; // the group is rebalancing: the commit after the store is refused
    await first.deliver(0, three);
    await vi.waitFor(() => expect(log).toContain('checkpoint 0@0-3'));
    expect(first.log.some((l) => l.startsWith('commit'))).toBe(false);
    first.join([]); // the partition moves; Kafka still holds no commit for it

    const second = setup({ maxEvents: 3, checkpoints: checkpoints.store });
    await second.writer.start();
    second.join([0]);
    expect(await second.deliver(0, [...three, hourOf(3)])).toEqual([]);
    expect(second.log).toEqual(expect.arrayContaining(['commit 0@3', 'seek 0@3']));
    await second.deliver(0, [hourOf(3), hourOf(4), hourOf(5)], 3);
    await vi.waitFor(() => expect(second.log).toContain('commit 0@6'));
    expect(second.puts.map((k) => k.split('/').pop())).toEqual(['listening-events+0+3-5.jsonl.gz']);
    expect((await second.metric('lake_writer_already_stored_records_total'))[0]?.value).toBe(3);
    first.broker.refuseCommits = false;
    await Promise.all([first.writer.stop(), second.writer.stop()]);
  });

  it('ignores a checkpoint that does not continue the offset Kafka holds (a topic made again, a stray object)', async () => {
    let t: ReturnType<typeof setup> | undefined;
    const checkpoints = memoryCheckpoints(() => t!.log);
    // Written for an older topic of the same name: it starts past where this one's fetch starts.
    checkpoints.saved.set(0, { from: '500', next: '900' });
    // Claims more than the partition holds.
    checkpoints.saved.set(1, { from: '0', next: '9999' });
    t = setup({ maxEvents: 3, checkpoints: checkpoints.store });
    await t.writer.start();
    t.join([0, 1]);
    expect(await t.deliver(0, three)).toEqual(['0', '1', '2']);
    expect(await t.deliver(1, three)).toEqual(['0', '1', '2']);
    await vi.waitFor(() => expect(t!.log).toEqual(expect.arrayContaining(['commit 0@3', 'commit 1@3'])));
    expect(t.log.some((l) => l.startsWith('seek'))).toBe(false);
    expect(t.puts).toHaveLength(2);
    await t.writer.stop();
  });

  it('fetches the batch again when the checkpoint cannot be read, and takes it once it can', async () => {
    let t: ReturnType<typeof setup> | undefined;
    const checkpoints = memoryCheckpoints(() => t!.log);
    checkpoints.state.unreadable = 2;
    t = setup({ maxEvents: 3, checkpoints: checkpoints.store });
    await t.writer.start();
    t.join([0]);
    expect(await t.deliver(0, three)).toEqual([]);
    expect(await t.deliver(0, three)).toEqual([]);
    expect(await t.deliver(0, three)).toEqual(['0', '1', '2']);
    await vi.waitFor(() => expect(t!.log).toContain('commit 0@3'));
    expect(t.puts).toHaveLength(1);
    await t.writer.stop();
  });
});
