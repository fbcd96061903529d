import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { BRONZE_TABLES, type BronzeTable, bronzeTableFor, MANIFEST_TABLE } from './bronze-tables.js';
import { BRONZE_SCHEMA, type FetchedObject, type Warehouse } from './warehouse.js';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * DuckDB, the embedded default. httpfs cannot be installed here, so the loader fetches each object through
 * the S3 client, writes the still-gzipped bytes to a temp file and lets DuckDB's own (multi-threaded) JSON
 * reader parse it inside the load transaction.
 */
export async function createDuckDbWarehouse(params: { path: string }): Promise<Warehouse> {
  const instance = await DuckDBInstance.create(params.path);
  const connection: DuckDBConnection = await instance.connect();
  const scratch = await mkdtemp(join(tmpdir(), 'sp-loader-'));

  return {
    kind: 'duckdb',
    async prepare() {
      await connection.run(`create schema if not exists ${BRONZE_SCHEMA}`);
      for (const t of BRONZE_TABLES) {
        const columns = t.fields.map((f) => `${ident(f)} varchar`).join(', ');
        await connection.run(
          `create table if not exists ${BRONZE_SCHEMA}.${t.table} (${columns}, _object_key varchar not null, _loaded_at timestamptz not null)`,
        );
      }
      await connection.run(
        `create table if not exists ${BRONZE_SCHEMA}.${MANIFEST_TABLE} (
          object_key varchar primary key, topic varchar not null, bronze_table varchar not null,
          size_bytes bigint not null, row_count bigint not null, loaded_at timestamptz not null)`,
      );
    },
    async loadedKeys() {
      const reader = await connection.runAndReadAll(
        `select object_key from ${BRONZE_SCHEMA}.${MANIFEST_TABLE}`,
      );
      return new Set(reader.getRows().map((row) => String(row[0])));
    },
    async loadBatch(batch: readonly FetchedObject[]) {
      const files = await Promise.all(
        batch.map(async ({ gzipped }, i) => {
          const file = join(scratch, `${i}.jsonl.gz`);
          await writeFile(file, gzipped);
          return file;
        }),
      );
      const byTable = new Map<BronzeTable, number[]>();
      for (const [i, { object }] of batch.entries()) {
        const table = bronzeTableFor(object.topic);
        if (!table) throw new Error(`no bronze table for topic ${object.topic}`);
        byTable.set(table, [...(byTable.get(table) ?? []), i]);
      }
      const rows = new Map<string, number>();
      await connection.run('begin transaction');
      try {
        for (const [table, indexes] of byTable) {
          // One INSERT over all of the batch's files of this table: DuckDB reads them in parallel.
          const columnTypes = table.fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ');
          const columns = table.fields.map(ident).join(', ');
          const keys = indexes
            .map((i) => `(${literal(files[i]!)}, ${literal(batch[i]!.object.key)})`)
            .join(', ');
          await connection.run(
            `insert into ${BRONZE_SCHEMA}.${table.table} (${columns}, _object_key, _loaded_at)
             select ${table.fields.map((f) => `j.${ident(f)}`).join(', ')}, k.object_key, current_timestamp
             from read_json([${indexes.map((i) => literal(files[i]!)).join(', ')}], format = 'newline_delimited',
                            compression = 'gzip', filename = true, columns = {${columnTypes}}) as j
             join (values ${keys}) as k (file, object_key) on k.file = j.filename`,
          );
          // current_timestamp is the transaction's start, so it singles out this batch's rows (and zone maps
          // on _loaded_at skip the older row groups).
          const counted = await connection.runAndReadAll(
            `select _object_key, count(*)::integer from ${BRONZE_SCHEMA}.${table.table}
             where _loaded_at = current_timestamp and _object_key in (${indexes.map((i) => literal(batch[i]!.object.key)).join(', ')})
             group by 1`,
          );
          for (const [key, count] of counted.getRows()) rows.set(String(key), Number(count));
          const manifestRows = indexes
            .map((i) => {
              const { key, topic, sizeBytes } = batch[i]!.object;
              return `(${literal(key)}, ${literal(topic)}, ${literal(table.table)}, ${sizeBytes}, ${rows.get(key) ?? 0}, current_timestamp)`;
            })
            .join(', ');
          await connection.run(`insert into ${BRONZE_SCHEMA}.${MANIFEST_TABLE} values ${manifestRows}`);
        }
        await connection.run('commit');
      } catch (err) {
        await connection.run('rollback').catch(() => undefined);
        throw err;
      } finally {
        await Promise.all(files.map((f) => rm(f, { force: true })));
      }
      return batch.map(({ object }) => rows.get(object.key) ?? 0);
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
