#!/usr/bin/env node
import { createLogger, runMain } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { type LoaderConfig, loadLoaderConfig } from './config.js';
import { createWarehouse } from './create-warehouse.js';
import { runDbt } from './dbt.js';
import { publishGoldSnapshot } from './gold-snapshot.js';
import { createLoader, type LoadSummary } from './loader.js';

const USAGE = `usage: spotify-loader <command> [dbt arguments]
  load    load new bronze objects from the lake into the warehouse, exactly once
  batch   load, then run \`dbt build\` (extra arguments go to dbt, e.g. --select marts)
Settings come from the environment: LAKE_*, WAREHOUSE (duckdb|postgres|snowflake), DUCKDB_PATH,
DUCKDB_SNAPSHOT_PATH (where batch publishes a read-only copy of gold for the insights service), POSTGRES_*, SNOWFLAKE_*, LOADER_TOPICS, LOADER_BATCH_FILES, DBT_BIN, DBT_PROJECT_DIR, DBT_PROFILES_DIR.`;

const logger = createLogger({ name: 'loader' });

async function load(config: LoaderConfig): Promise<LoadSummary> {
  const warehouse = await createWarehouse(config.warehouse);
  try {
    const loader = createLoader({
      store: createObjectStore(config),
      bucket: config.LAKE_BUCKET,
      warehouse,
      topics: config.LOADER_TOPICS,
      batchFiles: config.LOADER_BATCH_FILES,
      prefetch: config.LOADER_PREFETCH,
      logger,
    });
    return await loader.run();
  } finally {
    // DuckDB allows one writing process per file: close before dbt opens it.
    await warehouse.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...dbtArgs] = argv;
  if (command !== 'load' && command !== 'batch') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadLoaderConfig();
  const loaded = await load(config);
  logger.info(
    { summary: loaded },
    `load done: ${loaded.objectsLoaded} objects, ${loaded.rowsLoaded} rows, ${(loaded.bytesLoaded / 1e6).toFixed(1)} MB in ${loaded.seconds.toFixed(1)} s (${loaded.alreadyLoaded} already loaded)`,
  );
  if (command === 'load') return 0;

  const dbt = await runDbt({
    bin: config.DBT_BIN,
    command: ['build', ...dbtArgs],
    projectDir: config.DBT_PROJECT_DIR,
    profilesDir: config.DBT_PROFILES_DIR,
    targetPath: config.DBT_TARGET_PATH,
    logPath: config.DBT_LOG_PATH,
    target: config.WAREHOUSE,
    logger,
  });
  const counts = Object.entries(dbt.statuses)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  for (const f of dbt.failures) logger.error({ node: f.node, status: f.status }, f.message);
  const ok = dbt.exitCode === 0 && dbt.failures.length === 0;
  logger[ok ? 'info' : 'error'](
    { load: loaded, dbt },
    `batch ${ok ? 'succeeded' : 'FAILED'}: loaded ${loaded.rowsLoaded} rows from ${loaded.objectsLoaded} objects; dbt build ${counts || 'ran nothing'} in ${dbt.seconds.toFixed(1)} s`,
  );
  if (!ok) return 1;
  const { warehouse } = config;
  if (warehouse.type === 'duckdb' && warehouse.duckdb.DUCKDB_SNAPSHOT_PATH) {
    // Only a build that passed is published: readers keep the previous snapshot otherwise.
    const target = warehouse.duckdb.DUCKDB_SNAPSHOT_PATH;
    const snapshot = await publishGoldSnapshot({ source: warehouse.duckdb.DUCKDB_PATH, target });
    logger.info(
      { snapshot: { target, ...snapshot } },
      `gold snapshot published to ${target}: ${snapshot.tables} tables in ${snapshot.seconds.toFixed(1)} s`,
    );
  }
  return 0;
}

runMain('spotify-loader', () => main(process.argv.slice(2)));
