import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startPostgres } from '@spotify-pipeline/harness';
import { createLogger, createRegistry, loadConfig } from '@spotify-pipeline/shared';
import { insightsEnvSchema } from '@spotify-pipeline/shared/workloads';
import pg from 'pg';
import { createAnswerCache } from '../src/cache.js';
import { createGoldReader } from '../src/readers/create-reader.js';
import type { GoldReader } from '../src/readers/reader.js';
import { createInsightsServer } from '../src/server.js';
import { loadAndBuild, type PipelineLake } from './pipeline.js';

export interface GoldWarehouse {
  target: 'duckdb' | 'postgres';
  /** What the insights service gets: WAREHOUSE and the warehouse's own settings (read-only for PostgreSQL). */
  insightsEnv: Record<string, string>;
  /** Settings with write access, for the loader. */
  loaderEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** A DuckDB warehouse file; the insights service reads the snapshot the loader publishes beside it. */
export async function duckdbWarehouse(lake: PipelineLake): Promise<GoldWarehouse> {
  const snapshot = join(lake.workdir, 'insights.duckdb');
  return {
    target: 'duckdb',
    loaderEnv: {
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: join(lake.workdir, 'warehouse.duckdb'),
      DUCKDB_SNAPSHOT_PATH: snapshot,
    },
    insightsEnv: { WAREHOUSE: 'duckdb', DUCKDB_PATH: snapshot },
    stop: async () => undefined,
  };
}

/**
 * A throwaway PostgreSQL cluster. The loader and dbt write as the owner; the insights service connects as a
 * role that may only read gold and the load manifest (granted on the tables of every future build too).
 */
export async function postgresWarehouse(): Promise<GoldWarehouse> {
  const server = await startPostgres();
  const password = randomBytes(18).toString('base64url');
  const owner = {
    POSTGRES_HOST: server.host,
    POSTGRES_PORT: String(server.port),
    POSTGRES_DB: server.database,
  };
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`create role insights_reader login password '${password}'`);
  await admin.query('create schema if not exists gold; create schema if not exists bronze');
  await admin.query('grant usage on schema gold, bronze to insights_reader');
  await admin.query(
    `alter default privileges for role ${server.user} in schema gold grant select on tables to insights_reader`,
  );
  await admin.query(
    `alter default privileges for role ${server.user} in schema bronze grant select on tables to insights_reader`,
  );
  await admin.end();
  return {
    target: 'postgres',
    loaderEnv: {
      WAREHOUSE: 'postgres',
      ...owner,
      POSTGRES_USER: server.user,
      POSTGRES_PASSWORD: server.password,
    },
    insightsEnv: {
      WAREHOUSE: 'postgres',
      ...owner,
      POSTGRES_USER: 'insights_reader',
      POSTGRES_PASSWORD: password,
    },
    stop: () => server.destroy(),
  };
}

export interface RunningInsights {
  url: string;
  reader: GoldReader;
  close(): Promise<void>;
}

/** The insights server in this process on a free loopback port, configured from env as in a pod. */
export async function startInsights(
  env: Record<string, string>,
  options: { webDir?: string | null } = {},
): Promise<RunningInsights> {
  const source = { INSIGHTS_REFRESH_POLL_MS: '200', ...env };
  const config = loadConfig(insightsEnvSchema, source);
  const logger = createLogger({ name: 'insights-test', level: 'silent' });
  const reader = await createGoldReader(config, logger);
  const app = await createInsightsServer({
    reader,
    cache: createAnswerCache({ ttlMs: config.INSIGHTS_CACHE_SECONDS * 1000, maxEntries: 500 }),
    lag: null,
    maxAgeSeconds: 5,
    bronzeSchema: config.warehouse.bronzeSchema,
    today: () => new Date().toISOString().slice(0, 10),
    logger,
    registry: createRegistry('insights-test'),
    webDir: options.webDir ?? null,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    reader,
    close: async () => {
      await app.close();
      await reader.close();
    },
  };
}

export { loadAndBuild };
