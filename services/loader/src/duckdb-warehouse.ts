import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { describeError } from '@spotify-pipeline/shared';
import { BRONZE_TABLES, type BronzeTable, MANIFEST_TABLE, REJECTED_TABLE } from './bronze-tables.js';
import { rejectedRowValues } from './rejected-rows.js';
import { BRONZE_SCHEMA, type PreparedObject, type Warehouse } from './warehouse.js';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * DuckDB, the embedded default. httpfs cannot be installed here, so the loader fetches each object through
 * the S3 client, writes the gzipped lines to load to a temp file and lets DuckDB's own (multi-threaded) JSON
 * reader parse it inside the load transaction.
 */
/** `schema` is where bronze goes (a plain identifier: BRONZE_SCHEMA is checked at start). */
export async function createDuckDbWarehouse(params: { path: string; schema?: string }): Promise<Warehouse> {
  const schema = params.schema ?? BRONZE_SCHEMA;
  const instance = await DuckDBInstance.create(params.path);
  const connection: DuckDBConnection = await instance.connect();
  const scratch = await mkdtemp(join(tmpdir(), 'sp-loader-'));
  let fileCount = 0;

  /** Inserts the objects' rows (one INSERT per table over all its files: DuckDB reads them in parallel). */
  const insertRows = async (
    batch: readonly PreparedObject[],
    loadedAt: string,
  ): Promise<Map<string, number>> => {
    const withRows = batch.filter((p) => p.rows > 0);
    const files = await Promise.all(
      withRows.map(async ({ gzipped }) => {
        const file = join(scratch, `${fileCount++}.jsonl.gz`);
        await writeFile(file, gzipped);
        return file;
      }),
    );
    const rows = new Map<string, number>();
    try {
      const byTable = new Map<BronzeTable, number[]>();
      for (const [i, { table }] of withRows.entries()) byTable.set(table, [...(byTable.get(table) ?? []), i]);
      for (const [table, indexes] of byTable) {
        const columnTypes = table.fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ');
        const columns = table.fields.map(ident).join(', ');
        const keys = indexes
          .map((i) => `(${literal(files[i]!)}, ${literal(withRows[i]!.object.key)})`)
          .join(', ');
        await connection.run(
          `insert into ${schema}.${table.table} (${columns}, _object_key, _loaded_at)
           select ${table.fields.map((f) => `j.${ident(f)}`).join(', ')}, k.object_key, ${loadedAt}
           from read_json([${indexes.map((i) => literal(files[i]!)).join(', ')}], format = 'newline_delimited',
                          compression = 'gzip', filename = true, columns = {${columnTypes}}) as j
           join (values ${keys}) as k (file, object_key) on k.file = j.filename`,
        );
        // The batch's own time singles out its rows (and zone maps on _loaded_at skip the older row groups).
        const counted = await connection.runAndReadAll(
          `select _object_key, count(*)::integer from ${schema}.${table.table}
           where _loaded_at = ${loadedAt} and _object_key in (${indexes.map((i) => literal(withRows[i]!.object.key)).join(', ')})
           group by 1`,
        );
        for (const [key, count] of counted.getRows()) rows.set(String(key), Number(count));
      }
    } finally {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    }
    return rows;
  };

  /**
   * The time that stamps a batch's rows: the transaction's start, or just after the newest batch already
   * loaded if the clock went back, so batches are stamped in commit order. dbt's incremental models rely on it
   * to pick exactly the rows loaded since their last run (dbt/macros/incremental_since.sql).
   */
  const batchTime = async (): Promise<string> => {
    const reader = await connection.runAndReadAll(
      `select cast(greatest(current_timestamp, coalesce(max(loaded_at) + interval 1 microsecond, current_timestamp))
         as varchar) from ${schema}.${MANIFEST_TABLE}`,
    );
    return `cast(${literal(String(reader.getRows()[0]![0]))} as timestamptz)`;
  };

  return {
    kind: 'duckdb',
    async prepare() {
      await connection.run(`create schema if not exists ${schema}`);
      for (const t of BRONZE_TABLES) {
        const columns = t.fields.map((f) => `${ident(f)} varchar`).join(', ');
        await connection.run(
          `create table if not exists ${schema}.${t.table} (${columns}, _object_key varchar not null, _loaded_at timestamptz not null)`,
        );
      }
      await connection.run(
        `create table if not exists ${schema}.${MANIFEST_TABLE} (
          object_key varchar primary key, topic varchar not null, bronze_table varchar not null,
          size_bytes bigint not null, row_count bigint not null, loaded_at timestamptz not null)`,
      );
      await connection.run(
        `alter table ${schema}.${MANIFEST_TABLE} add column if not exists rejected_count bigint default 0`,
      );
      await connection.run(
        `create table if not exists ${schema}.${REJECTED_TABLE} (
          object_key varchar not null, line_number bigint not null, bronze_table varchar not null,
          reason_code varchar not null, reason varchar not null, line_excerpt varchar not null,
          rejected_at timestamptz not null, primary key (object_key, line_number))`,
      );
    },
    async loadedKeys() {
      const reader = await connection.runAndReadAll(`select object_key from ${schema}.${MANIFEST_TABLE}`);
      return new Set(reader.getRows().map((row) => String(row[0])));
    },
    async loadBatch(batch: readonly PreparedObject[]) {
      await connection.run('begin transaction');
      try {
        const loadedAt = await batchTime();
        const rows = await insertRows(batch, loadedAt);
        const rejected = batch.flatMap((p) => rejectedRowValues(p, literal, loadedAt));
        for (let i = 0; i < rejected.length; i += 200)
          await connection.run(
            `insert into ${schema}.${REJECTED_TABLE} values ${rejected.slice(i, i + 200).join(', ')}`,
          );
        const manifestRows = batch
          .map(({ object, table, rejected }) => {
            const { key, topic, sizeBytes } = object;
            return `(${literal(key)}, ${literal(topic)}, ${literal(table.table)}, ${sizeBytes}, ${rows.get(key) ?? 0}, ${loadedAt}, ${rejected.length})`;
          })
          .join(', ');
        await connection.run(
          `insert into ${schema}.${MANIFEST_TABLE} (object_key, topic, bronze_table, size_bytes, row_count, loaded_at, rejected_count) values ${manifestRows}`,
        );
        await connection.run('commit');
        return batch.map(({ object }) => rows.get(object.key) ?? 0);
      } catch (err) {
        await connection.run('rollback').catch(() => undefined);
        throw err;
      }
    },
    async probe(object: PreparedObject) {
      await connection.run('begin transaction');
      try {
        await insertRows([object], await batchTime());
        return null;
      } catch (err) {
        return describeError(err, 300);
      } finally {
        await connection.run('rollback').catch(() => undefined);
      }
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
