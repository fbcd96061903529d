import { posix } from 'node:path';
import { BRONZE_TABLES, type BronzeTable, MANIFEST_TABLE } from './bronze-tables.js';
import type { BronzeObject } from './lake-objects.js';

/** The statements the Snowflake warehouse runs, as pure functions so they are tested without an account. */

const ident = (name: string) => `"${name.toUpperCase().replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

export function snowflakePrepareStatements(schema: string, stage: string): string[] {
  const s = ident(schema);
  return [
    `create schema if not exists ${s}`,
    `create stage if not exists ${s}.${ident(stage)} file_format = (type = json)`,
    ...BRONZE_TABLES.map(
      (t) =>
        `create table if not exists ${s}.${ident(t.table)} (${t.fields.map((f) => `${ident(f)} varchar`).join(', ')}, "_OBJECT_KEY" varchar not null, "_LOADED_AT" timestamp_tz not null)`,
    ),
    `create table if not exists ${s}.${ident(MANIFEST_TABLE)} (object_key varchar primary key, topic varchar not null, bronze_table varchar not null, size_bytes number not null, row_count number not null, loaded_at timestamp_tz not null)`,
  ];
}

/** Stage folder an object is PUT into: its lake key's folder, so the stage mirrors the lake. */
export function stageLocation(schema: string, stage: string, key: string): string {
  return `@${ident(schema)}.${ident(stage)}/${posix.dirname(key)}/`;
}

/** PUT of the already-gzipped local file; no re-compression, overwrite so a retried load is harmless. */
export function snowflakePutStatement(localFile: string, schema: string, stage: string, key: string): string {
  return `put ${literal(`file://${localFile}`)} ${literal(stageLocation(schema, stage, key))} auto_compress = false source_compression = gzip overwrite = true`;
}

/**
 * COPY of one staged object. FORCE = TRUE because the load manifest, committed with the rows, is what decides
 * whether an object is loaded: Snowflake's own 64-day load history would otherwise skip a file whose earlier
 * COPY was rolled back with its transaction.
 */
export function snowflakeCopyStatement(
  schema: string,
  stage: string,
  table: BronzeTable,
  object: BronzeObject,
): string {
  const columns = table.fields.map(ident).join(', ');
  const extract = table.fields
    .map((f) => {
      const value = `$1:${JSON.stringify(f)}`;
      return `iff(is_array(${value}) or is_object(${value}), to_json(${value}), ${value}::varchar)`;
    })
    .join(', ');
  return `copy into ${ident(schema)}.${ident(table.table)} (${columns}, "_OBJECT_KEY", "_LOADED_AT") from (select ${extract}, ${literal(object.key)}, current_timestamp() from ${stageLocation(schema, stage, object.key)}) files = (${literal(posix.basename(object.key))}) file_format = (type = json) force = true`;
}

export function snowflakeManifestInsert(
  schema: string,
  table: BronzeTable,
  object: BronzeObject,
  rows: number,
): string {
  return `insert into ${ident(schema)}.${ident(MANIFEST_TABLE)} values (${literal(object.key)}, ${literal(object.topic)}, ${literal(table.table)}, ${object.sizeBytes}, ${rows}, current_timestamp())`;
}
