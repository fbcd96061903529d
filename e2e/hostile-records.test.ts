import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  createTopicWithDlq,
  duckDbUnderTest,
  type KafkaInstance,
  makeWorkdir,
  type PostgresInstance,
  postgresUnderTest,
  readTopic,
  type S3Instance,
  startKafka,
  startPostgres,
  startS3,
  testKafka,
  type WarehouseUnderTest,
} from '@spotify-pipeline/harness';
import { DLQ_HEADERS } from '@spotify-pipeline/shared';
import { CompressionTypes, Partitioners } from '@spotify-pipeline/shared/kafka';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DBT_EVENTS_ONLY,
  type LakeWriterStage,
  lakeEnv,
  quiet,
  runBatch,
  startLakeWriter,
  waitForLag0,
} from './pipeline.js';

/**
 * Every class of issue 10 through the whole path: real broker, lake writer, S3 server, loader, dbt, on DuckDB
 * and PostgreSQL. The writer's classes (a record whose rejection crashed every restart, hour 24 that failed
 * the flush and lost its buffer, a record the DLQ refuses uncompressed that wedged its partition); records the
 * contract used to accept but a warehouse refuses or types differently; implausible values; and two records
 * with one event id, the later one in Kafka loaded first. Before this changes the writer crashed or
 * lost the neighbours, the second batch failed (the load on PostgreSQL, a NUL; on DuckDB, a repeated key; dbt
 * on February 30) and silver kept the later copy.
 */
const TOPIC = 'listening-events';
const BUCKET = 'spotify-lake';

function event(overrides: Record<string, unknown> = {}) {
  return {
    schema_version: 1,
    event_id: randomUUID(),
    event_type: 'complete',
    event_ts: new Date(Date.now() - 3_600_000).toISOString(),
    user_id: 'u-1',
    session_id: 's-1',
    track_id: 't-1',
    track_name: 'Hyperballad',
    artist_id: 'a-1',
    artist_name: 'Björk',
    album_id: 'al-1',
    album_name: 'Post',
    duration_ms: 321_000,
    position_ms: 321_000,
    ms_played: 300_000,
    device_type: 'desktop',
    country: 'IS',
    context_type: 'album',
    context_id: 'al-1',
    source: 'simulator',
    shuffle: false,
    offline: true,
    ...overrides,
  };
}
const json = (overrides: Record<string, unknown> = {}) => JSON.stringify(event(overrides));

// The writer's classes; contract-valid before this issue, refused or typed differently by a warehouse; and
// implausible values.
const hostile: Array<[key: string, value: string, reason: RegExp]> = [
  [
    'deep',
    `{"schema_version":${'['.repeat(8000)}${']'.repeat(8000)}}`,
    /unknown schema_version \[array of 1\]/,
  ],
  ['feb30', json({ event_ts: '2026-02-30T10:00:00.000Z' }), /event_ts: is not a calendar date/],
  ['h24', json({ event_ts: '2026-03-01T24:00:00.000Z' }), /event_ts: is not a time of day/],
  [
    'repeated',
    json({ country: 'GB' }).replace('"country":"GB"', '"country":"GB","country":"SE"'),
    /key "country" appears more than once/,
  ],
  ['nul', json({ track_name: 'a\u0000b' }), /track_name: must not hold a NUL/],
  ['surrogate', json({ artist_name: 'a\ud800b' }), /artist_name: must not hold a lone surrogate/],
  [
    'exponent',
    json().replace('"duration_ms":321000', '"duration_ms":3.21e5'),
    /duration_ms: 3\.21e5 is not written as a non-negative integer/,
  ],
  [
    'fraction',
    json().replace('"ms_played":300000', '"ms_played":300000.0'),
    /ms_played: 300000\.0 is not written/,
  ],
  ['zz', json({ country: 'ZZ' }), /country: must be an assigned ISO-3166-1/],
  ['ancient', json({ event_ts: '1826-06-01T10:00:00.000Z' }), /outside the plausible window/],
  ['future', json({ event_ts: '2326-06-01T10:00:00.000Z' }), /outside the plausible window/],
  ['position', json({ position_ms: 321_001 }), /position_ms: 321001 is past the end of the track/],
];

describe('hostile records from Kafka to gold, on DuckDB and PostgreSQL', () => {
  const work = makeWorkdir('hostile-e2e');
  let passed = false;
  let kafka: KafkaInstance;
  let s3: S3Instance;
  let postgres: PostgresInstance;
  let warehouses: WarehouseUnderTest[];
  let writer: LakeWriterStage;
  let env: NodeJS.ProcessEnv;
  const client = () => testKafka(kafka.bootstrap, quiet);

  beforeAll(async () => {
    [kafka, s3, postgres] = await Promise.all([startKafka(), startS3(), startPostgres()]);
    warehouses = [
      await duckDbUnderTest({ path: join(work.path, 'warehouse.duckdb'), readOnly: true }),
      await postgresUnderTest(postgres),
    ];
    env = lakeEnv(kafka, s3, BUCKET);
    await createTopicWithDlq(client(), TOPIC, 2);
    writer = await startLakeWriter(work.path, 'lake-writer', { ...env, LAKE_WRITER_BATCH_MAX_AGE_MS: '500' });
  }, 240_000);

  afterAll(async () => {
    await writer?.process.stop();
    for (const w of warehouses ?? []) await w.stop();
    await Promise.all([kafka?.destroy(), s3?.destroy(), postgres?.destroy()]);
    // Kept when a test failed: the stages' logs are in it.
    if (passed) work.remove();
  });

  // Gzip, as a producer may: the broker takes the huge record compressed, the DLQ would refuse it whole.
  const produce = async (partition: number, messages: Array<{ key: string; value: string }>) => {
    const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: messages.map((m) => ({ ...m, partition })),
    });
    await producer.disconnect();
  };
  const batchAll = async (step: string) => {
    await waitForLag0(client(), 'lake-writer', TOPIC, 120_000);
    for (const w of warehouses) {
      const run = await runBatch(work.path, `${step}-${w.target}`, env, w, DBT_EVENTS_ONLY);
      expect(run.code, `${w.target}:\n${run.tail}`).toBe(0);
    }
  };

  const conflictId = randomUUID();
  const earlier = event({ event_id: conflictId, track_name: 'copy at partition 0' });
  const later = event({ event_id: conflictId, track_name: 'copy at partition 1' });
  // 3 MiB that compress to a few KB (message.max.bytes is 1 MiB).
  const huge = json({ track_name: 'la '.repeat(1_048_576) });
  const valid = Array.from({ length: 8 }, (_, i) =>
    event({ user_id: `u-${i}`, country: i % 2 ? null : 'SE' }),
  );

  it('dead-letters every hostile record with its reason and loads, builds and reconciles on both warehouses', async () => {
    // The copy at the later Kafka position reaches the warehouses first.
    await produce(1, [
      { key: 'later', value: JSON.stringify(later) },
      ...valid.slice(0, 4).map((e) => ({ key: e.user_id, value: JSON.stringify(e) })),
    ]);
    await batchAll('first');
    for (const w of warehouses) {
      const rows = await w.query(
        `select track_name from silver.stg_lake__listening_events where event_id = '${conflictId}'`,
      );
      expect(rows).toEqual([{ track_name: 'copy at partition 1' }]);
    }

    await produce(0, [
      { key: 'earlier', value: JSON.stringify(earlier) },
      ...hostile.map(([key, value]) => ({ key, value })),
      { key: 'huge', value: huge },
      ...valid.slice(4).map((e) => ({ key: e.user_id, value: JSON.stringify(e) })),
    ]);
    await batchAll('second');

    const letters = await readTopic(client(), `${TOPIC}.dlq`);
    expect(letters.map((l) => l.key).sort()).toEqual([...hostile.map(([key]) => key), 'huge'].sort());
    for (const [key, value, reason] of hostile) {
      const letter = letters.find((l) => l.key === key)!;
      expect(letter.headers[DLQ_HEADERS.reason], key).toMatch(reason);
      expect(letter.value.toString(), key).toBe(value);
    }
    const hugeLetter = letters.find((l) => l.key === 'huge')!;
    expect(hugeLetter.headers[DLQ_HEADERS.reason]).toMatch(/the limit is 16384/);
    expect(hugeLetter.value).toEqual(Buffer.from(huge).subarray(0, 1024));
    const pointer = hugeLetter.headers['dlq.quarantine']!;
    expect(pointer).toMatch(new RegExp(`^s3://${BUCKET}/quarantine/`));
    const chunks: Buffer[] = [];
    const store = createObjectStore(env as never);
    for await (const chunk of await store.getObject(BUCKET, pointer.slice(`s3://${BUCKET}/`.length)))
      chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(huge);

    const expectedIds = [...valid.map((e) => e.event_id), conflictId].sort();
    for (const w of warehouses) {
      const gold = await w.query('select event_id from gold.fct_listening_events order by event_id');
      expect(
        gold.map((r) => r.event_id),
        w.target,
      ).toEqual(expectedIds);
      const kept = await w.query(
        `select track_name, cast(kafka_partition as integer) as p, has_conflict from silver.stg_lake__listening_events where event_id = '${conflictId}'`,
      );
      expect(kept, w.target).toEqual([{ track_name: 'copy at partition 0', p: 0, has_conflict: true }]);
      const conflicts = await w.query(
        'select cast(conflicting_events as integer) as n from gold.daily_event_conflicts',
      );
      expect(conflicts, w.target).toEqual([{ n: 1 }]);
    }
  }, 900_000);

  it('types every silver row the same on DuckDB and PostgreSQL', async () => {
    const rows = async (w: WarehouseUnderTest) =>
      (
        await w.query(
          `select event_id, event_type, ${w.epochMs('event_at')} as event_at, user_id, track_name, artist_name,
                  album_id, duration_ms, position_ms, ms_played, device_type, country_code, context_type,
                  event_source, is_shuffle, is_offline, kafka_partition, kafka_offset, has_conflict
           from silver.stg_lake__listening_events order by event_id`,
        )
      ).map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
      );
    const [duck, postgresRows] = [await rows(warehouses[0]!), await rows(warehouses[1]!)];
    expect(duck).toHaveLength(valid.length + 1);
    expect(postgresRows).toEqual(duck);
    passed = true;
  }, 900_000);
});
