import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { type PostgresSettings, postgresClientConfig } from '@spotify-pipeline/shared/warehouse/postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BRONZE_TABLES, bronzeTableFor, MANIFEST_TABLE } from './bronze-tables.js';
import { BRONZE_SCHEMA, type FetchedObject, type Warehouse } from './warehouse.js';

const gunzipAsync = promisify(gunzip);
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * PostgreSQL: each object's JSON lines stream in verbatim through COPY FROM STDIN into a session temp table
 * (CSV with control-character delimiter and quote, which JSON text never contains unescaped), and one
 * INSERT ... SELECT extracts the fields with jsonb operators; both, and the manifest row, in one transaction.
 */
export async function createPostgresWarehouse(settings: PostgresSettings): Promise<Warehouse> {
  const client = new pg.Client(
    postgresClientConfig(settings, { applicationName: 'spotify-pipeline-loader' }),
  );
  await client.connect();
  await client.query('create temp table bronze_lines (line text) on commit delete rows');

  return {
    kind: 'postgres',
    async prepare() {
      await client.query(`create schema if not exists ${BRONZE_SCHEMA}`);
      for (const t of BRONZE_TABLES) {
        const columns = t.fields.map((f) => `${ident(f)} text`).join(', ');
        await client.query(
          `create table if not exists ${BRONZE_SCHEMA}.${t.table} (${columns}, _object_key text not null, _loaded_at timestamptz not null)`,
        );
      }
      await client.query(
        `create table if not exists ${BRONZE_SCHEMA}.${MANIFEST_TABLE} (
          object_key text primary key, topic text not null, bronze_table text not null,
          size_bytes bigint not null, row_count bigint not null, loaded_at timestamptz not null)`,
      );
    },
    async loadedKeys() {
      const result = await client.query<{ object_key: string }>(
        `select object_key from ${BRONZE_SCHEMA}.${MANIFEST_TABLE}`,
      );
      return new Set(result.rows.map((r) => r.object_key));
    },
    async loadBatch(batch: readonly FetchedObject[]) {
      const rows: number[] = [];
      await client.query('begin');
      try {
        for (const { object, gzipped } of batch) {
          const table = bronzeTableFor(object.topic);
          if (!table) throw new Error(`no bronze table for topic ${object.topic}`);
          const text = await gunzipAsync(gzipped);
          await pipeline(
            Readable.from([text]),
            client.query(
              copyFrom(
                `copy bronze_lines (line) from stdin with (format csv, delimiter e'\\x01', quote e'\\x02')`,
              ),
            ),
          );
          const extract = table.fields.map((f) => `j->>'${f}'`).join(', ');
          const inserted = await client.query(
            `insert into ${BRONZE_SCHEMA}.${table.table} (${table.fields.map(ident).join(', ')}, _object_key, _loaded_at)
             select ${extract}, $1, now() from (select line::jsonb as j from bronze_lines where line <> '' offset 0) as l`,
            [object.key],
          );
          await client.query('truncate bronze_lines');
          const count = inserted.rowCount ?? 0;
          rows.push(count);
          await client.query(
            `insert into ${BRONZE_SCHEMA}.${MANIFEST_TABLE} values ($1, $2, $3, $4, $5, now())`,
            [object.key, object.topic, table.table, object.sizeBytes, count],
          );
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      }
      return rows;
    },
    async close() {
      await client.end();
    },
  };
}
