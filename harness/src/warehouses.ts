import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { type PostgresInstance, startPostgres } from './postgres.js';

type Rows = Array<Record<string, unknown>>;

/** A warehouse under test: the loader/dbt settings that select it, and a way to read it. */
export interface WarehouseUnderTest {
  target: 'duckdb' | 'postgres' | 'snowflake';
  env: NodeJS.ProcessEnv;
  query(sql: string): Promise<Rows>;
  /** SQL for a timestamp column as epoch milliseconds (bigint), for comparing warehouses. */
  epochMs(column: string): string;
  stop(): Promise<void>;
}

/**
 * Reads a DuckDB file with a short-lived connection (DuckDB allows one writing process per file). `readOnly`
 * shares the file with other readers, and needs it to exist.
 */
export async function queryDuckDb(
  path: string,
  sql: string,
  options: { readOnly?: boolean | undefined } = {},
): Promise<Rows> {
  const instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  try {
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Rows;
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

/** A DuckDB file (a new one in a temporary folder unless `path` is given). */
export async function duckDbUnderTest(
  options: { path?: string; readOnly?: boolean } = {},
): Promise<WarehouseUnderTest> {
  const path = options.path ?? join(mkdtempSync(join(tmpdir(), 'sp-duckdb-')), 'warehouse.duckdb');
  return {
    target: 'duckdb',
    env: { DUCKDB_PATH: path },
    query: (sql) => queryDuckDb(path, sql, { readOnly: options.readOnly }),
    epochMs: (column) => `epoch_ms(${column})`,
    stop: async () => undefined,
  };
}

/** A PostgreSQL database: `server`'s, or a throwaway cluster of its own that `stop()` removes. */
export async function postgresUnderTest(server?: PostgresInstance): Promise<WarehouseUnderTest> {
  const owned = server ? undefined : await startPostgres();
  const target = server ?? (owned as PostgresInstance);
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  return {
    target: 'postgres',
    env: {
      POSTGRES_HOST: target.host,
      POSTGRES_PORT: String(target.port),
      POSTGRES_USER: target.user,
      POSTGRES_PASSWORD: target.password,
      POSTGRES_DB: target.database,
    },
    query: async (sql) => (await client.query(sql)).rows,
    epochMs: (column) => `cast(extract(epoch from ${column}) * 1000 as bigint)`,
    stop: async () => {
      await client.end();
      await owned?.stop();
    },
  };
}
