/**
 * Warehouse benchmark: lake to gold on DuckDB. Writes BENCH_EVENTS events to the lake (S3 server), then
 *  1. the floor: DuckDB reading the same objects (copied to local disk first, not timed) into a table with
 *     one read_json statement, no manifest, no checks: what the load cannot beat;
 *  2. the loader (S3 -> line checks -> bronze with manifest, exactly once), with where its time went;
 *  3. `dbt build` (every model and test), with the slowest nodes from run_results.json, then the gold snapshot
 *     that `batch` publishes for readers;
 *  4. BENCH_ADD_EVENTS more events (the next days), loaded and built incrementally (same dbt target folder,
 *     so dbt parses only what changed, as a CronJob keeping its target folder would);
 *  5. the PostgreSQL load rate (BENCH_PG_EVENTS, 0 to skip it) against DuckDB's.
 * BENCH_KEEP_DIR keeps the warehouse as loaded before each dbt build (loaded.duckdb, then added.duckdb).
 * Writes bench/results/warehouse.json. Run: npm run bench -- warehouse
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchMachine, componentPaths, repoRoot, startPostgres, startS3 } from '@spotify-pipeline/harness';
import { bronzeTableFor } from '@spotify-pipeline/loader/bronze-tables';
import { runDbt } from '@spotify-pipeline/loader/dbt';
import { createDuckDbWarehouse } from '@spotify-pipeline/loader/duckdb-warehouse';
import { publishGoldSnapshot } from '@spotify-pipeline/loader/gold-snapshot';
import { pendingObjects } from '@spotify-pipeline/loader/lake-objects';
import { createLoader, type LoadSummary } from '@spotify-pipeline/loader/loader';
import { createPostgresWarehouse } from '@spotify-pipeline/loader/postgres-warehouse';
import type { Warehouse } from '@spotify-pipeline/loader/warehouse';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore, ensureBucket, listAllObjects } from '@spotify-pipeline/shared/object-store';
import { writeBenchLake } from './lake-events.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ADD_EVENTS = Number(process.env.BENCH_ADD_EVENTS ?? Math.round(EVENTS / 10));
const PG_EVENTS = Number(process.env.BENCH_PG_EVENTS ?? Math.min(EVENTS, 1_000_000));
const PER_OBJECT = Number(process.env.BENCH_PER_OBJECT ?? 50_000);
const TOPIC = 'listening-events';
const log = (msg: string) =>
  console.log(`[bench warehouse] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const logger = createLogger({ name: 'bench-warehouse', level: process.env.LOG_LEVEL ?? 'warn' });
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

type Store = ReturnType<typeof createObjectStore>;

/** BENCH_KEEP_DIR: keep copies of the warehouse file (untimed) to profile dbt on afterwards. */
function keep(duckdbPath: string, name: string): void {
  const dir = process.env.BENCH_KEEP_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  copyFileSync(duckdbPath, join(dir, name));
  if (existsSync(`${duckdbPath}.wal`)) copyFileSync(`${duckdbPath}.wal`, join(dir, `${name}.wal`));
  log(`kept a copy of the warehouse in ${join(dir, name)}`);
}

async function load(warehouse: Warehouse, store: Store, bucket: string): Promise<LoadSummary> {
  // A whole next batch is downloaded and checked while one loads, so the two overlap.
  const batchFiles = Number(process.env.BENCH_BATCH_FILES ?? 16);
  try {
    const summary = await createLoader({
      store,
      bucket,
      warehouse,
      topics: [TOPIC],
      batchFiles,
      prefetch: batchFiles,
      logger,
    }).run();
    const p = summary.phases;
    log(
      `loaded ${summary.rowsLoaded.toLocaleString()} rows in ${summary.seconds.toFixed(1)} s: ` +
        `list ${p.list.toFixed(1)} s, waiting for downloads and line checks ${p.waitForObjects.toFixed(1)} s, ` +
        `warehouse transactions ${p.insert.toFixed(1)} s (summed over objects, overlapping: ` +
        `download ${p.fetchTotal.toFixed(1)} s, line checks ${p.checkTotal.toFixed(1)} s)`,
    );
    return summary;
  } finally {
    await warehouse.close();
  }
}

/** The floor: every lake object read by DuckDB into one table in one statement, from local files. */
async function floorLoad(
  store: Store,
  bucket: string,
  work: string,
): Promise<{ rows: number; seconds: number }> {
  const dir = join(work, 'floor');
  mkdirSync(dir);
  // The loader's own listing rules (some S3 servers list '+' in a key as a space).
  const { pending } = pendingObjects(await listAllObjects(store, bucket, `bronze/${TOPIC}/`), new Set());
  const files: string[] = [];
  for (const [i, o] of pending.entries()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getObject(bucket, o.key)) chunks.push(chunk as Buffer);
    const file = join(dir, `${i}.jsonl.gz`);
    await writeFile(file, Buffer.concat(chunks));
    files.push(file);
  }
  const columns = bronzeTableFor(TOPIC)!
    .fields.map((f) => `'${f}': 'VARCHAR'`)
    .join(', ');
  const instance = await DuckDBInstance.create(join(work, 'floor.duckdb'));
  const connection = await instance.connect();
  try {
    const started = performance.now();
    await connection.run(
      `create table events as select * from read_json([${files.map((f) => `'${f}'`).join(', ')}],
         format = 'newline_delimited', compression = 'gzip', columns = {${columns}})`,
    );
    const seconds = (performance.now() - started) / 1000;
    const rows = Number((await connection.runAndReadAll('select count(*) from events')).getRows()[0]![0]);
    return { rows, seconds };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `dbt build` on the DuckDB file, logging the slowest nodes; returns the wall time and the slowest nodes. */
async function dbtBuild(duckdbPath: string, targetPath: string, work: string, label: string) {
  const dbt = await runDbt({
    bin: componentPaths().dbt,
    command: ['build'],
    projectDir: join(repoRoot, 'dbt'),
    targetPath,
    logPath: join(work, 'logs'),
    target: 'duckdb',
    env: { ...process.env, DUCKDB_PATH: duckdbPath },
    logger,
  });
  if (dbt.exitCode !== 0)
    throw new Error(`dbt build (${label}) failed: ${JSON.stringify(dbt.failures).slice(0, 2000)}`);
  const results = JSON.parse(readFileSync(join(targetPath, 'run_results.json'), 'utf8')) as {
    elapsed_time: number;
    results: Array<{ unique_id: string; execution_time: number }>;
  };
  const nodes = results.results.map((r) => ({
    node: r.unique_id.split('.').slice(0, 3).join('.'),
    seconds: r.execution_time,
  }));
  const sum = (kind: string) =>
    nodes.filter((n) => n.node.startsWith(kind)).reduce((s, n) => s + n.seconds, 0);
  log(
    `dbt build (${label}): ${dbt.seconds.toFixed(1)} s wall, ${results.elapsed_time.toFixed(1)} s running nodes ` +
      `(the rest is start-up and parsing); ${nodes.length} nodes, models ${sum('model').toFixed(1)} s, ` +
      `tests ${sum('test').toFixed(1)} s summed over 2 threads`,
  );
  const slowest = [...nodes].sort((a, b) => b.seconds - a.seconds).slice(0, 12);
  for (const n of slowest) log(`  ${n.seconds.toFixed(1).padStart(6)} s  ${n.node}`);
  return { seconds: dbt.seconds, nodes: nodes.length, running: results.elapsed_time, slowest };
}

/** The PostgreSQL load rate: BENCH_PG_EVENTS more events in a lake of their own. */
async function loadPostgres(store: Store): Promise<LoadSummary> {
  log(`writing ${PG_EVENTS.toLocaleString()} events for PostgreSQL`);
  await writeBenchLake({ store, bucket: 'bench-lake-pg', events: PG_EVENTS, perObject: PER_OBJECT });
  const pg = await startPostgres();
  try {
    log('loading into PostgreSQL');
    return await load(
      await createPostgresWarehouse({
        host: pg.host,
        port: pg.port,
        user: pg.user,
        password: pg.password,
        database: pg.database,
      }),
      store,
      'bench-lake-pg',
    );
  } finally {
    await pg.stop();
  }
}

async function main() {
  const s3 = await startS3();
  const work = mkdtempSync(join(tmpdir(), 'sp-bench-warehouse-'));
  const figures: Array<Record<string, unknown>> = [];
  try {
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'bench-lake',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    for (const bucket of ['bench-lake', 'bench-lake-pg']) await ensureBucket(store, bucket);
    log(`writing ${EVENTS.toLocaleString()} events to the lake (${PER_OBJECT.toLocaleString()} per object)`);
    const written = await writeBenchLake({
      store,
      bucket: 'bench-lake',
      events: EVENTS,
      perObject: PER_OBJECT,
      onProgress: (n) => n % (PER_OBJECT * 40) === 0 && log(`  ${n.toLocaleString()} events written`),
    });
    log(`lake: ${written.objects} objects, ${(written.bytes / 1e6).toFixed(0)} MB gzip`);

    log('floor: DuckDB reading the same objects from local files in one statement');
    const floor = await floorLoad(store, 'bench-lake', work);
    log(`floor: ${floor.rows.toLocaleString()} rows in ${floor.seconds.toFixed(1)} s`);

    const duckdbPath = join(work, 'warehouse.duckdb');
    const targetPath = join(work, 'target');
    log('loading into DuckDB');
    const duck = await load(await createDuckDbWarehouse({ path: duckdbPath }), store, 'bench-lake');
    if (duck.rowsLoaded !== EVENTS) throw new Error(`loaded ${duck.rowsLoaded} rows, expected ${EVENTS}`);
    keep(duckdbPath, 'loaded.duckdb');
    const full = await dbtBuild(duckdbPath, targetPath, work, 'full');
    // What `batch` does next when DUCKDB_SNAPSHOT_PATH is set: gold copied for readers, the events sorted by
    // listener (gold views, such as fct_listening_events on DuckDB, are stored as tables here).
    const snapshot = await publishGoldSnapshot({
      source: duckdbPath,
      target: join(work, 'gold-snapshot.duckdb'),
      bronzeSchema: 'bronze',
    });
    log(`gold snapshot for readers: ${snapshot.tables} tables in ${snapshot.seconds.toFixed(1)} s`);

    log(`adding ${ADD_EVENTS.toLocaleString()} events (the days after) and building incrementally`);
    await writeBenchLake({
      store,
      bucket: 'bench-lake',
      events: ADD_EVENTS,
      perObject: PER_OBJECT,
      firstEvent: EVENTS,
      spreadOver: EVENTS,
    });
    const added = await load(await createDuckDbWarehouse({ path: duckdbPath }), store, 'bench-lake');
    if (added.rowsLoaded !== ADD_EVENTS)
      throw new Error(`loaded ${added.rowsLoaded} rows, expected ${ADD_EVENTS}`);
    keep(duckdbPath, 'added.duckdb');
    const incremental = await dbtBuild(duckdbPath, targetPath, work, 'incremental');

    const pgSummary = PG_EVENTS > 0 ? await loadPostgres(store) : null;

    const duckRate = duck.rowsLoaded / duck.seconds;
    const floorRate = floor.rows / floor.seconds;
    const lakeToGold = duck.seconds + full.seconds;
    const addToGold = added.seconds + incremental.seconds;
    const slowest = (nodes: typeof full.slowest) =>
      nodes
        .slice(0, 3)
        .map((n) => `${n.node.split('.').pop()} ${n.seconds.toFixed(0)} s`)
        .join(', ');
    figures.push(
      {
        name: `floor: DuckDB read_json of the same ${EVENTS.toLocaleString()} events from local files, one statement, no checks or manifest`,
        value: round(floor.seconds),
        unit: 's',
      },
      {
        name: `load into DuckDB (${EVENTS.toLocaleString()} events, S3 -> line checks -> bronze with manifest)`,
        value: Math.round(duckRate),
        unit: 'rows/s',
        reference: 'floor rate, same run',
        reference_value: Math.round(floorRate),
        ratio: round(duckRate / floorRate, 3),
      },
      {
        name: `load phases (DuckDB, ${EVENTS.toLocaleString()} events): waiting for downloads and line checks`,
        value: round(duck.phases.waitForObjects),
        unit: 's',
        reference: 'warehouse transactions',
        reference_value: round(duck.phases.insert),
        ratio: round(duck.phases.waitForObjects / duck.phases.insert, 3),
      },
      {
        name: `dbt build on DuckDB (${EVENTS.toLocaleString()} events, ${full.nodes} models and tests; slowest: ${slowest(full.slowest)})`,
        value: round(full.seconds),
        unit: 's',
        reference: 'time running nodes (the rest: dbt start-up and parsing)',
        reference_value: round(full.running),
        ratio: round(full.seconds / full.running, 3),
      },
      {
        name: `lake to gold on DuckDB (${EVENTS.toLocaleString()} events: load + dbt build)`,
        value: round(lakeToGold),
        unit: 's',
        reference: 'aim for 10 million events',
        reference_value: 120,
        ratio: round(lakeToGold / 120, 3),
      },
      {
        name: `lake to gold on DuckDB and the readers' snapshot (${EVENTS.toLocaleString()} events: load + dbt build + ${snapshot.tables} gold tables copied, events in listener order)`,
        value: round(lakeToGold + snapshot.seconds),
        unit: 's',
        reference: 'lake to gold alone, same run',
        reference_value: round(lakeToGold),
        ratio: round((lakeToGold + snapshot.seconds) / lakeToGold, 3),
      },
      {
        name: `lake to gold on DuckDB against the floor (${EVENTS.toLocaleString()} events)`,
        value: round(lakeToGold),
        unit: 's',
        reference: 'floor (read_json, one statement), same run',
        reference_value: round(floor.seconds),
        ratio: round(lakeToGold / floor.seconds, 3),
      },
      {
        name: `incremental: ${ADD_EVENTS.toLocaleString()} new events loaded and built into gold (load ${added.seconds.toFixed(0)} s + dbt build ${incremental.seconds.toFixed(0)} s; slowest: ${slowest(incremental.slowest)})`,
        value: round(addToGold),
        unit: 's',
        reference: 'aim',
        reference_value: 20,
        ratio: round(addToGold / 20, 3),
      },
    );
    if (pgSummary) {
      const pgRate = pgSummary.rowsLoaded / pgSummary.seconds;
      figures.push({
        name: `load into PostgreSQL (${PG_EVENTS.toLocaleString()} events, COPY FROM STDIN with manifest)`,
        value: Math.round(pgRate),
        unit: 'rows/s',
        reference: 'DuckDB load rate, same run',
        reference_value: Math.round(duckRate),
        ratio: round(pgRate / duckRate, 3),
      });
    }
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'warehouse',
    date: new Date().toISOString(),
    machine: benchMachine('S3 server, PostgreSQL, DuckDB and dbt on the same machine'),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/warehouse.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(JSON.stringify(figures, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
