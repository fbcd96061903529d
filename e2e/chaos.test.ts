import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  duckDbUnderTest,
  groupLag,
  type KafkaInstance,
  makeWorkdir,
  readTopic,
  type S3Instance,
  startKafka,
  startS3,
  testKafka,
  waitUntil,
} from '@spotify-pipeline/harness';
import { DLQ_HEADERS, groundTruthSchema, TOPICS } from '@spotify-pipeline/shared';
import { CompressionTypes, Partitioners } from '@spotify-pipeline/shared/kafka';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DBT_EVENTS_ONLY,
  httpGet,
  type LakeWriterStage,
  lakeEnv,
  metric,
  quiet,
  runBatch,
  startLakeWriter,
  startStage,
  waitForLag0,
} from './pipeline.js';

const TOPIC = TOPICS.listeningEvents;

/** Hostile record number `n`: every kind the writer must dead-letter, by turns. Keys start with `hostile-`. */
function hostileRecord(n: number): { key: string; value: Buffer | null } {
  const now = Date.now();
  const valid = {
    schema_version: 1,
    event_id: '0d2c6a7e-5b7a-4c3e-9b2a-8f0e6d1c2b3a',
    event_type: 'skip',
    event_ts: new Date(now - 60_000).toISOString(),
    user_id: `hostile-user-${n}`,
    session_id: 's',
    track_id: 't',
    track_name: 'n',
    artist_id: 'a',
    artist_name: 'n',
    album_id: null,
    album_name: null,
    duration_ms: 200_000,
    position_ms: 10_000,
    ms_played: 10_000,
    device_type: 'mobile',
    country: 'GB',
    context_type: null,
    context_id: null,
    source: 'simulator',
  };
  const text = (overrides: Record<string, unknown>) => JSON.stringify({ ...valid, ...overrides });
  const kinds: Array<() => string | Buffer | null> = [
    () => '{"schema_version":1,"event_id":',
    () => `{"schema_version":${'['.repeat(8000)}${']'.repeat(8000)}}`,
    () => text({ track_name: 'la '.repeat(500_000) }),
    () => text({ event_ts: '2026-02-30T10:00:00.000Z' }),
    () => text({ country: 'GB' }).replace('"country":"GB"', '"country":"UK","country":"GB"'),
    () => text({ track_name: 'a\u0000b' }),
    () => text({ artist_name: '\udc00' }),
    () => text({}).replace('"duration_ms":200000', '"duration_ms":2e5'),
    () => text({ country: 'ZZ' }),
    () => text({ event_ts: '1900-01-01T00:00:00.000Z' }),
    () => text({ position_ms: 200_001 }),
    () => null,
    () => Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    () => '[1,2,3]',
    () => text({ schema_version: 2 }),
    () => text({ event_ts: '2026-01-01T24:00:00.000Z' }),
    () => text({ extra: 'x'.repeat(20_000) }),
  ];
  const value = kinds[n % kinds.length]!();
  return { key: `hostile-${n}`, value: typeof value === 'string' ? Buffer.from(value) : value };
}

/**
 * The chaos run of issue 10: the simulator publishes valid events at a steady rate while hostile records of
 * every kind are mixed in, and the lake writer is SIGKILLed and restarted at random moments while both flow
 * (the simulator runs until the last restarted writer is up, then stops on SIGTERM and writes what it
 * published). Then the loader and dbt build gold. Every valid event must be in gold exactly once, every
 * hostile record in the dead-letter topic (its bytes in the quarantine when large) with a reason, and no
 * partition stalled.
 */
function chaosRun(options: { rate: number; kills: number; hostilePerSecond: number }) {
  const work = makeWorkdir('chaos');
  let passed = false;
  let kafka: KafkaInstance;
  let s3: S3Instance;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [kafka, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
    env = lakeEnv(kafka, s3, 'spotify-lake');
  }, 240_000);

  afterAll(async () => {
    await Promise.all([kafka?.destroy(), s3?.destroy()]);
    // Kept when a test failed: the stages' logs are in it.
    if (passed) work.remove();
  });

  it('puts every valid event in gold exactly once and every hostile record in the DLQ, with SIGKILLs', async () => {
    const client = testKafka(kafka.bootstrap, quiet);
    const writerEnv = { ...env, LAKE_WRITER_BATCH_MAX_AGE_MS: '1000', LAKE_WRITER_BATCH_MAX_EVENTS: '2000' };
    const simulator = startStage(work.path, 'simulator', 'services/simulator/src/cli.ts', env, [
      ...['--mode', 'realtime', '--rate', String(options.rate), '--seconds', '3600'],
      ...['--listeners', '2000', '--create-topics', '--partitions', '4', '--no-catalog'],
      ...['--summary', join(work.path, 'truth.json'), '--progress-seconds', '5'],
    ]);
    const admin = client.admin();
    await admin.connect();
    await waitUntil(
      'the simulator to create the topics',
      async () => (await admin.listTopics()).includes(`${TOPIC}.dlq`),
      {
        timeoutMs: 120_000,
        logHint: () => simulator.tail(),
      },
    );
    await admin.disconnect();

    let writer: LakeWriterStage = await startLakeWriter(work.path, 'lake-writer-0', writerEnv);
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let hostileSent = 0;
    let producing = true;
    const hostileLoop = (async () => {
      while (producing) {
        const record = hostileRecord(hostileSent);
        await producer.send({
          topic: TOPIC,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: [record],
        });
        hostileSent++;
        await new Promise((resolve) => setTimeout(resolve, 1000 / options.hostilePerSecond));
      }
    })();

    // Each writer is killed a random 1-6 s after it has stored an object, so mid-stream with buffers held.
    const afterFirstObject = async (current: LakeWriterStage) =>
      waitUntil(
        'the writer to store objects',
        async () => (await metric(current.opsPort, 'lake_writer_objects_written_total')) > 0,
        { timeoutMs: 180_000, logHint: () => current.process.tail() },
      );
    const kills: number[] = [];
    for (let i = 0; i < options.kills; i++) {
      await afterFirstObject(writer);
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 5000));
      await writer.process.kill();
      kills.push(await groupLag(client, 'lake-writer', TOPIC));
      writer = await startLakeWriter(work.path, `lake-writer-${i + 1}`, writerEnv);
    }
    await afterFirstObject(writer);
    expect(simulator.exited(), simulator.tail()).toBe(false);
    await simulator.stop(120_000);
    expect(simulator.child.exitCode, simulator.tail()).toBe(0);
    producing = false;
    await hostileLoop;
    await producer.disconnect();
    await waitForLag0(client, 'lake-writer', TOPIC, 300_000);
    const health = await httpGet(writer.opsPort, '/healthz');
    const stalled = await metric(writer.opsPort, 'lake_writer_stalled_partitions');
    await writer.process.stop();

    const truth = groundTruthSchema.parse(JSON.parse(readFileSync(join(work.path, 'truth.json'), 'utf8')));
    const records = await readTopic(client, TOPIC);
    const hostile = records.filter((r) => r.key?.startsWith('hostile-'));
    const valid = records.filter((r) => !r.key?.startsWith('hostile-'));
    const validIds = valid.map((r) => JSON.parse(r.value.toString()).event_id as string);
    expect(validIds).toHaveLength(truth.events);
    expect(hostile).toHaveLength(hostileSent);

    const letters = await readTopic(client, `${TOPIC}.dlq`);
    const letterAt = new Map(
      letters.map((l) => [
        `${l.headers[DLQ_HEADERS.sourcePartition]}@${l.headers[DLQ_HEADERS.sourceOffset]}`,
        l,
      ]),
    );
    const store = createObjectStore(env as never);
    let quarantined = 0;
    for (const record of hostile) {
      const letter = letterAt.get(`${record.partition}@${record.offset}`);
      expect(letter, `hostile record ${record.key} at ${record.partition}@${record.offset}`).toBeDefined();
      expect(letter!.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(0);
      const pointer = letter!.headers['dlq.quarantine'];
      if (pointer) {
        const stat = await store.statObject('spotify-lake', pointer.replace('s3://spotify-lake/', ''));
        expect(stat.size).toBe(Number(letter!.headers['dlq.original.bytes']));
        quarantined++;
      }
    }

    const warehouse = await duckDbUnderTest({ path: join(work.path, 'warehouse.duckdb'), readOnly: true });
    const batch = await runBatch(work.path, 'loader', env, warehouse, DBT_EVENTS_ONLY);
    expect(batch.code, batch.tail).toBe(0);
    const gold = (await warehouse.query('select event_id from gold.fct_listening_events')).map((r) =>
      String(r.event_id),
    );
    const [bronze] = await warehouse.query(
      'select count(*)::integer as rows, count(distinct event_id)::integer as events from bronze.listening_events',
    );
    const [rejected] = await warehouse.query('select count(*)::integer as n from bronze._rejected_rows');
    console.log(
      `chaos: ${truth.events} valid events published at ${options.rate}/s, ${gold.length} in gold ` +
        `(${new Set(gold).size} distinct; ${bronze!.rows} bronze rows for ${bronze!.events} event ids after ` +
        `${kills.length} SIGKILLs, uncommitted at each kill ${kills.join(', ')}); ${hostile.length} hostile records, ` +
        `${new Set(hostile.map((h) => `${h.partition}@${h.offset}`).filter((k) => letterAt.has(k))).size} in the DLQ ` +
        `(${letters.length} letters, ${quarantined} with quarantined bytes); ${rejected!.n} lines quarantined by the loader; ` +
        `/healthz ${health.status}, ${stalled} partitions stalled`,
    );
    expect(gold).toHaveLength(truth.events);
    expect(new Set(gold)).toEqual(new Set(validIds));
    expect(health.status).toBe(200);
    expect(stalled).toBe(0);
    passed = true;
  }, 1_200_000);
}

describe('chaos run: steady valid events, hostile records, SIGKILLed lake writer', () => {
  chaosRun({ rate: 400, kills: 3, hostilePerSecond: 8 });
});

describe.runIf(process.env.SP_LONG === '1')('chaos run, long', () => {
  chaosRun({ rate: 2000, kills: 6, hostilePerSecond: 20 });
});
