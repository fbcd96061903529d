/**
 * Warehouse benchmark: rows/s the loader puts into DuckDB and PostgreSQL from the lake (S3 server ->
 * bronze, exactly-once manifest included), then `dbt build` (all models and tests) over the same events on
 * DuckDB, and the sum of both: lake to gold. Writes bench/results/warehouse.json.
 * Run: npm run bench -- warehouse   (BENCH_EVENTS, BENCH_PG_EVENTS, BENCH_PER_OBJECT override the sizes)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { componentPaths, repoRoot, startPostgres, startS3 } from '../../harness/src/index.js';
import { runDbt } from '../../services/loader/src/dbt.js';
import { createDuckDbWarehouse } from '../../services/loader/src/duckdb-warehouse.js';
import { createLoader } from '../../services/loader/src/loader.js';
import { createPostgresWarehouse } from '../../services/loader/src/postgres-warehouse.js';
import type { Warehouse } from '../../services/loader/src/warehouse.js';
import { writeBenchLake } from './lake-events.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PG_EVENTS = Number(process.env.BENCH_PG_EVENTS ?? Math.min(EVENTS, 1_000_000));
const PER_OBJECT = Number(process.env.BENCH_PER_OBJECT ?? 50_000);
const log = (msg: string) =>
  console.log(`[bench warehouse] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const logger = createLogger({ name: 'bench-warehouse', level: process.env.LOG_LEVEL ?? 'warn' });

async function load(warehouse: Warehouse, store: ReturnType<typeof createObjectStore>, bucket: string) {
  const summary = await createLoader({
    store,
    bucket,
    warehouse,
    topics: ['listening-events'],
    batchFiles: Number(process.env.BENCH_BATCH_FILES ?? 16),
    prefetch: 4,
    logger,
  }).run();
  await warehouse.close();
  return summary;
}

async function main() {
  const s3 = await startS3();
  const work = mkdtempSync(join(tmpdir(), 'sp-bench-warehouse-'));
  const figures: Array<Record<string, unknown>> = [];
  try {
    const lake = {
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'bench-lake',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    };
    const store = createObjectStore(lake);
    for (const bucket of ['bench-lake', 'bench-lake-pg']) await ensureBucket(store, bucket);
    log(`writing ${EVENTS.toLocaleString()} events to the lake (${PER_OBJECT.toLocaleString()} per object)`);
    const written = await writeBenchLake({
      store,
      bucket: 'bench-lake',
      events: EVENTS,
      perObject: PER_OBJECT,
    });
    log(`lake: ${written.objects} objects, ${(written.bytes / 1e6).toFixed(0)} MB gzip`);

    const duckdbPath = join(work, 'warehouse.duckdb');
    log('loading into DuckDB');
    const duck = await load(await createDuckDbWarehouse({ path: duckdbPath }), store, 'bench-lake');
    const duckRate = duck.rowsLoaded / duck.seconds;
    log(`DuckDB: ${duck.rowsLoaded} rows in ${duck.seconds.toFixed(1)} s = ${Math.round(duckRate)} rows/s`);

    log('dbt build on DuckDB');
    const dbt = await runDbt({
      bin: componentPaths().dbt,
      command: ['build'],
      projectDir: join(repoRoot, 'dbt'),
      targetPath: join(work, 'target'),
      logPath: join(work, 'logs'),
      target: 'duckdb',
      env: { ...process.env, DUCKDB_PATH: duckdbPath },
      logger,
    });
    if (dbt.exitCode !== 0)
      throw new Error(`dbt build failed: ${JSON.stringify(dbt.failures).slice(0, 2000)}`);
    log(`dbt build: ${dbt.seconds.toFixed(1)} s (${JSON.stringify(dbt.statuses)})`);

    log(`writing ${PG_EVENTS.toLocaleString()} events for PostgreSQL`);
    await writeBenchLake({ store, bucket: 'bench-lake-pg', events: PG_EVENTS, perObject: PER_OBJECT });
    const pg = await startPostgres();
    let pgRate = 0;
    let pgRows = 0;
    try {
      log('loading into PostgreSQL');
      const pgSummary = await load(
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
      pgRows = pgSummary.rowsLoaded;
      pgRate = pgSummary.rowsLoaded / pgSummary.seconds;
      log(`PostgreSQL: ${pgRows} rows in ${pgSummary.seconds.toFixed(1)} s = ${Math.round(pgRate)} rows/s`);
    } finally {
      await pg.stop();
    }

    const lakeToGold = duck.seconds + dbt.seconds;
    figures.push(
      {
        name: `load into DuckDB (${EVENTS.toLocaleString()} events, S3 -> bronze with manifest)`,
        value: Math.round(duckRate),
        unit: 'rows/s',
      },
      {
        name: `load into PostgreSQL (${PG_EVENTS.toLocaleString()} events, COPY FROM STDIN with manifest)`,
        value: Math.round(pgRate),
        unit: 'rows/s',
        reference: 'DuckDB load rate, same run',
        reference_value: Math.round(duckRate),
        ratio: Number((pgRate / duckRate).toFixed(3)),
      },
      {
        name: `dbt build on DuckDB (${EVENTS.toLocaleString()} events, ${Object.values(dbt.statuses).reduce((a, b) => a + b, 0)} models and tests)`,
        value: Number(dbt.seconds.toFixed(1)),
        unit: 's',
      },
      {
        name: `lake to gold on DuckDB (${EVENTS.toLocaleString()} events: load + dbt build)`,
        value: Number(lakeToGold.toFixed(1)),
        unit: 's',
        reference: 'aim for 10 million events',
        reference_value: 120,
        ratio: Number((lakeToGold / 120).toFixed(3)),
      },
    );
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'warehouse',
    date: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; S3 server, PostgreSQL, DuckDB and dbt on the same machine, CPU shared with other engineers' work at the time (loaded machine)`,
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/warehouse.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(JSON.stringify(figures, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
