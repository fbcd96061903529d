#!/usr/bin/env node
import { createLogger, runCli } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { loaderCli, loaderCommand } from './command.js';
import { type LoaderConfig, loadLoaderConfig } from './config.js';
import { createWarehouse } from './create-warehouse.js';
import { runDbt } from './dbt.js';
import { publishGoldSnapshot } from './gold-snapshot.js';
import { createLoader, type LoadSummary } from './loader.js';

const logger = createLogger({ name: 'loader' });

async function load(config: LoaderConfig): Promise<LoadSummary> {
  const warehouse = await createWarehouse(config.warehouse, logger);
  try {
    const loader = createLoader({
      store: createObjectStore(config),
      bucket: config.LAKE_BUCKET,
      warehouse,
      topics: config.LOADER_TOPICS,
      eventsTopic: config.LOADER_EVENTS_TOPIC,
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

async function main(positionals: string[]): Promise<number> {
  const { command, dbtArgs } = loaderCommand(positionals);
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
    const snapshot = await publishGoldSnapshot({
      source: warehouse.duckdb.DUCKDB_PATH,
      target,
      bronzeSchema: warehouse.bronzeSchema,
    });
    logger.info(
      { snapshot: { target, ...snapshot } },
      `gold snapshot published to ${target}: ${snapshot.tables} tables in ${snapshot.seconds.toFixed(1)} s`,
    );
  }
  return 0;
}

runCli(loaderCli, (_values, positionals) => main(positionals));
