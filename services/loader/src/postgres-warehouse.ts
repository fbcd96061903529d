import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeError } from '@spotify-pipeline/shared';
import { type PostgresSettings, postgresClientConfig } from '@spotify-pipeline/shared/warehouse/postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { gunzipBody } from './bronze-lines.js';
import { BRONZE_TABLES, MANIFEST_TABLE, REJECTED_TABLE } from './bronze-tables.js';
import { BRONZE_SCHEMA, type PreparedObject, type Warehouse } from './warehouse.js';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * PostgreSQL: each object's JSON lines stream in verbatim through COPY FROM STDIN into a session temp table
 * (CSV with control-character delimiter and quote, which JSON text never contains unescaped), and one
 * INSERT ... SELECT extracts the fields with jsonb operators; both, and the manifest row, in one transaction.
 */
export async function createPostgresWarehouse(
  settings: PostgresSettings,
  schema = BRONZE_SCHEMA,
): Promise<Warehouse> {
  const client = new pg.Client(
    postgresClientConfig(settings, { applicationName: 'spotify-pipeline-loader' }),
  );
  await client.connect();
  await client.query('create temp table bronze_lines (line text) on commit delete rows');

  /** COPY of the object's lines into the session's temp table, then one INSERT that extracts the fields. */
  const insertRows = async ({ object, table, gzipped, rows }: PreparedObject): Promise<number> => {
    if (rows === 0) return 0;
    const text = await gunzipBody(gzipped);
    await pipeline(
      Readable.from([text]),
      client.query(
        copyFrom(`copy bronze_lines (line) from stdin with (format csv, delimiter e'\\x01', quote e'\\x02')`),
      ),
    );
    const extract = table.fields.map((f) => `j->>'${f}'`).join(', ');
    const inserted = await client.query(
      `insert into ${schema}.${table.table} (${table.fields.map(ident).join(', ')}, _object_key, _loaded_at)
       select ${extract}, $1, now() from (select line::jsonb as j from bronze_lines where line <> '' offset 0) as l`,
      [object.key],
    );
    await client.query('truncate bronze_lines');
    return inserted.rowCount ?? 0;
  };

  return {
    kind: 'postgres',
    async prepare() {
      await client.query(`create schema if not exists ${schema}`);
      for (const t of BRONZE_TABLES) {
        const columns = t.fields.map((f) => `${ident(f)} text`).join(', ');
        await client.query(
          `create table if not exists ${schema}.${t.table} (${columns}, _object_key text not null, _loaded_at timestamptz not null)`,
        );
      }
      await client.query(
        `create table if not exists ${schema}.${MANIFEST_TABLE} (
          object_key text primary key, topic text not null, bronze_table text not null,
          size_bytes bigint not null, row_count bigint not null, loaded_at timestamptz not null)`,
      );
      await client.query(
        `alter table ${schema}.${MANIFEST_TABLE} add column if not exists rejected_count bigint default 0`,
      );
      await client.query(
        `create table if not exists ${schema}.${REJECTED_TABLE} (
          object_key text not null, line_number bigint not null, bronze_table text not null,
          reason_code text not null, reason text not null, line_excerpt text not null,
          rejected_at timestamptz not null, primary key (object_key, line_number))`,
      );
    },
    async loadedKeys() {
      const result = await client.query<{ object_key: string }>(
        `select object_key from ${schema}.${MANIFEST_TABLE}`,
      );
      return new Set(result.rows.map((r) => r.object_key));
    },
    async loadBatch(batch: readonly PreparedObject[]) {
      const rows: number[] = [];
      await client.query('begin');
      try {
        for (const prepared of batch) {
          const count = await insertRows(prepared);
          rows.push(count);
          for (const r of prepared.rejected)
            await client.query(
              `insert into ${schema}.${REJECTED_TABLE} values ($1, $2, $3, $4, $5, $6, now())`,
              [prepared.object.key, r.line, prepared.table.table, r.code, r.reason, r.excerpt],
            );
          const { key, topic, sizeBytes } = prepared.object;
          await client.query(
            `insert into ${schema}.${MANIFEST_TABLE} (object_key, topic, bronze_table, size_bytes, row_count, loaded_at, rejected_count)
             values ($1, $2, $3, $4, $5, now(), $6)`,
            [key, topic, prepared.table.table, sizeBytes, count, prepared.rejected.length],
          );
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      }
      return rows;
    },
    async probe(object: PreparedObject) {
      await client.query('begin');
      try {
        await insertRows(object);
        return null;
      } catch (err) {
        return describeError(err, 300);
      } finally {
        await client.query('rollback').catch(() => undefined);
      }
    },
    async close() {
      await client.end();
    },
  };
}
