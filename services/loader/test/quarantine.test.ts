import { randomUUID } from 'node:crypto';
import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRONZE_TABLES } from '../src/bronze-tables.js';
import { gzipLines } from './lake-dataset.js';
import {
  dbtEnv,
  duckDbUnderTest,
  lakeEnv,
  postgresUnderTest,
  runCli,
  type WarehouseUnderTest,
} from './support.js';

/**
 * Lake lines that the warehouses refuse or read differently, written to the lake directly (as a buggy writer,
 * an old writer or a hand-made object would), loaded into DuckDB and PostgreSQL by the real loader CLI and
 * built by the real dbt. Neither warehouse may block on them, lose the rest, or type anything differently.
 */
const bucket = 'spotify-lake';
const TOPIC = 'listening-events';
const DAY = '2026-09-14';
// Only the models and tests this file is about: a full build takes minutes on PostgreSQL.
const DBT_SELECT = [
  '--select',
  '+fct_listening_events',
  '+daily_event_conflicts',
  '+rejected_event_counts',
  'assert_manifest_matches_bronze_rows',
  '--indirect-selection',
  'cautious',
];

let offset = 0;
function eventLine(
  overrides: Record<string, unknown> = {},
  position: { partition?: number; offset?: number } = {},
) {
  const event = {
    schema_version: 1,
    event_id: randomUUID(),
    event_type: 'complete',
    event_ts: `${DAY}T10:15:00.250Z`,
    user_id: 'u-1',
    session_id: 's-1',
    track_id: 't-1',
    track_name: 'Jóga "live" \\ 🎵',
    artist_id: 'a-1',
    artist_name: 'Björk',
    album_id: null,
    album_name: null,
    duration_ms: 305_000,
    position_ms: 305_000,
    ms_played: 301_000,
    device_type: 'mobile',
    country: 'IS',
    context_type: null,
    context_id: null,
    source: 'history_import',
    shuffle: true,
    ...overrides,
  };
  return {
    event,
    line: JSON.stringify({
      ...event,
      _topic: TOPIC,
      _partition: position.partition ?? 0,
      _offset: position.offset ?? offset++,
      _ingested_at: `${DAY}T12:00:00.000Z`,
    }),
  };
}

const key = (hour: string, partition: number, first: number, last: number) =>
  `bronze/${TOPIC}/date=${DAY}/hour=${hour}/${TOPIC}+${partition}+${first}-${last}.jsonl.gz`;

// One event, two different records: the copy at the later Kafka position is loaded first.
const conflictId = randomUUID();
const laterCopy = eventLine({ event_id: conflictId, track_name: 'later copy' }, { offset: 900 });
const earlierCopy = eventLine({ event_id: conflictId, track_name: 'earlier copy' }, { offset: 100 });

const valid = [
  eventLine(),
  eventLine({ country: null, shuffle: false, event_type: 'play', ms_played: undefined, position_ms: 0 }),
];
const text = (overrides: Record<string, unknown>) => eventLine(overrides).line;
const hostile: Array<[line: string, code: string]> = [
  [`{"event_id":"a","event_id":"b","_offset":1}`, 'load_duplicate_key'],
  [text({ track_name: 'x\u0000y' }), 'load_nul_character'],
  [text({ artist_name: 'x\ud800' }), 'load_lone_surrogate'],
  [
    text({ duration_ms: 305_000 }).replace('"duration_ms":305000', '"duration_ms":3.05e5'),
    'load_number_form',
  ],
  [text({ track_name: { nested: true } }), 'load_field_kind'],
  ['[1,2,3]', 'load_not_an_object'],
  ['{"event_id": oops}', 'load_not_json'],
  [text({ event_ts: '2026-02-30T10:00:00.000Z' }), 'invalid_event_ts'],
  [text({ country: 'ZZ' }), 'invalid_country'],
  [text({ event_ts: '1926-09-14T10:00:00.000Z' }), 'implausible_event_ts'],
  [text({ position_ms: 305_001 }), 'position_after_duration'],
];
const mainLines = [
  earlierCopy.line,
  ...valid.slice(0, 1).map((v) => v.line),
  ...hostile.map(([line]) => line),
  valid[1]!.line,
];
const refusedByConstraint = eventLine({ track_name: 'refused by a constraint' });
const afterRefusal = eventLine();

const expectedReasons = {
  invalid_country: 1,
  invalid_event_ts: 1,
  implausible_event_ts: 1,
  load_duplicate_key: 1,
  load_field_kind: 1,
  load_lone_surrogate: 1,
  load_not_an_object: 1,
  load_not_json: 1,
  load_nul_character: 1,
  load_number_form: 1,
  load_unreadable_object: 1,
  load_warehouse_refused: 1,
  position_after_duration: 1,
};

describe('the loader quarantines, never blocks, on DuckDB and PostgreSQL alike', () => {
  let s3: S3Instance;
  const warehouses: WarehouseUnderTest[] = [];
  const store = () => createObjectStore(lakeEnv(s3, bucket) as never);
  const batch = async (w: WarehouseUnderTest) => {
    const run = await runCli(['batch', '--', ...DBT_SELECT], {
      ...lakeEnv(s3, bucket),
      ...dbtEnv(),
      WAREHOUSE: w.target,
      LOADER_BATCH_FILES: '1',
      ...w.env,
    });
    expect(run.code, `${w.target}: ${run.output.slice(-4000)}`).toBe(0);
    return run.output;
  };

  beforeAll(async () => {
    s3 = await startS3();
    await ensureBucket(store(), bucket);
    warehouses.push(await duckDbUnderTest(), await postgresUnderTest());
    // A constraint the loader's checks do not know: the warehouse itself refuses one line of a later object.
    const table = BRONZE_TABLES.find((t) => t.topic === TOPIC)!;
    const columns = table.fields.map((f) => `"${f}" varchar`).join(', ');
    for (const w of warehouses) {
      await w.query('create schema if not exists bronze');
      await w.query(
        `create table bronze.listening_events (${columns}, _object_key varchar not null, _loaded_at timestamptz not null,
         check (track_name is null or track_name <> 'refused by a constraint'))`,
      );
    }
  }, 240_000);

  afterAll(async () => {
    for (const w of warehouses) await w.stop();
    await s3?.stop();
  });

  it('keeps the copy at the earliest Kafka position, whatever order the copies are loaded in', async () => {
    await store().putObject(bucket, key('09', 0, 900, 900), gzipLines([laterCopy.line]));
    for (const w of warehouses) {
      await batch(w);
      const [kept] = await w.query(
        `select track_name from silver.stg_lake__listening_events where event_id = '${conflictId}'`,
      );
      expect(kept?.track_name).toBe('later copy');
    }
    await store().putObject(bucket, key('10', 0, 100, 100 + mainLines.length - 1), gzipLines(mainLines));
    await store().putObject(bucket, key('11', 0, 50, 60), Buffer.from('this object is not gzip'));
    for (const w of warehouses) {
      const output = await batch(w);
      expect(output).toContain('line kept out of bronze');
      const kept = await w.query(
        `select track_name, cast(kafka_offset as integer) as kafka_offset, has_conflict
         from silver.stg_lake__listening_events where event_id = '${conflictId}'`,
      );
      expect(kept).toEqual([{ track_name: 'earlier copy', kafka_offset: 100, has_conflict: true }]);
      const gold = await w.query(
        `select count(*) as n from gold.fct_listening_events where event_id = '${conflictId}'`,
      );
      expect(Number(gold[0]?.n)).toBe(1);
      const conflicts = await w.query(
        'select cast(event_date as varchar) as day, cast(conflicting_events as integer) as n from gold.daily_event_conflicts',
      );
      expect(conflicts).toEqual([{ day: DAY, n: 1 }]);
    }
  }, 600_000);

  it('rejects each hostile line with its reason, object and line, loads the rest, exactly once', async () => {
    for (const w of warehouses) {
      const rejected = await w.query(
        `select object_key, cast(line_number as integer) as line, reason_code from bronze._rejected_rows order by 1, 2`,
      );
      expect(rejected).toEqual([
        ...hostile
          .map(([, code], i) => [code, i + 3] as const)
          .filter(([code]) => code.startsWith('load_'))
          .map(([code, line]) => ({
            object_key: key('10', 0, 100, 100 + mainLines.length - 1),
            line,
            reason_code: code.slice('load_'.length),
          })),
        { object_key: key('11', 0, 50, 60), line: 0, reason_code: 'unreadable_object' },
      ]);
      const again = await runCli(['load'], { ...lakeEnv(s3, bucket), WAREHOUSE: w.target, ...w.env });
      expect(again.output).toContain('found 0 new objects');
      const manifest = await w.query(
        'select cast(row_count as integer) as r, cast(rejected_count as integer) as j from bronze._load_manifest order by object_key',
      );
      expect(manifest).toEqual([
        { r: 1, j: 0 },
        { r: mainLines.length - 7, j: 7 },
        { r: 0, j: 1 },
      ]);
    }
  }, 600_000);

  it('quarantines a line the warehouse itself refuses and loads the rest of its object', async () => {
    await store().putObject(
      bucket,
      key('12', 0, 200, 201),
      gzipLines([refusedByConstraint.line, afterRefusal.line]),
    );
    for (const w of warehouses) {
      await batch(w);
      const [refused] = await w.query(
        `select cast(line_number as integer) as line, reason_code, reason from bronze._rejected_rows where object_key = '${key('12', 0, 200, 201)}'`,
      );
      expect(refused).toMatchObject({ line: 1, reason_code: 'warehouse_refused' });
      expect(String(refused?.reason)).toMatch(
        new RegExp(`^${w.target} refused the line: .*(constraint|CHECK)`, 'i'),
      );
      const loaded = await w.query(
        `select event_id from silver.stg_lake__listening_events where event_id = '${afterRefusal.event.event_id}'`,
      );
      expect(loaded).toHaveLength(1);
      const reasons = await w.query(
        'select rejection_reason, cast(rejected_rows as integer) as n from gold.rejected_event_counts',
      );
      expect(Object.fromEntries(reasons.map((r) => [r.rejection_reason, r.n]))).toEqual(expectedReasons);
    }
  }, 600_000);

  it('types every silver row the same on DuckDB and PostgreSQL', async () => {
    const rows = async (w: WarehouseUnderTest) =>
      (
        await w.query(
          `select event_id, event_type, ${w.epochMs('event_at')} as event_at, cast(event_date as varchar) as event_date,
                  user_id, session_id, track_id, track_name, artist_id, artist_name, album_id, album_name,
                  duration_ms, position_ms, ms_played, device_type, country_code, context_type, context_id,
                  event_source, is_shuffle, is_offline, kafka_partition, kafka_offset, has_conflict
           from silver.stg_lake__listening_events order by event_id`,
        )
      ).map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
      );
    const [duck, pgRows] = [await rows(warehouses[0]!), await rows(warehouses[1]!)];
    expect(duck).toHaveLength(valid.length + 2);
    expect(pgRows).toEqual(duck);
    const mine = duck.find((r) => r.event_id === valid[0]!.event.event_id);
    expect(mine).toMatchObject({
      track_name: 'Jóga "live" \\ 🎵',
      artist_name: 'Björk',
      country_code: 'IS',
      is_shuffle: 'true',
    });
    expect(mine?.event_at).toBe(String(Date.parse(`${DAY}T10:15:00.250Z`)));
    expect(duck.find((r) => r.event_id === valid[1]!.event.event_id)).toMatchObject({
      country_code: null,
      ms_played: null,
    });
  }, 600_000);
});
