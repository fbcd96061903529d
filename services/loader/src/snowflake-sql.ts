import { posix } from 'node:path';
import { parseBronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';
import { BRONZE_TABLES, type BronzeTable, MANIFEST_TABLE, REJECTED_TABLE } from './bronze-tables.js';
import type { BronzeObject } from './lake-objects.js';
import { rejectedRowValues } from './rejected-rows.js';
import type { PreparedObject } from './warehouse.js';

/** The statements the Snowflake warehouse runs, as pure functions so they are tested without an account. */

const ident = (name: string) => `"${name.toUpperCase().replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** Session temp table each object is COPYed into as raw JSON before its fields go to the bronze table. */
const LANDING_TABLE = '_LANDING';

export function snowflakePrepareStatements(schema: string, stage: string): string[] {
  const s = ident(schema);
  return [
    `create schema if not exists ${s}`,
    // the landing table is created unqualified (temp tables live in the session's schema)
    `use schema ${s}`,
    `create stage if not exists ${s}.${ident(stage)} file_format = (type = json)`,
    ...BRONZE_TABLES.map(
      (t) =>
        `create table if not exists ${s}.${ident(t.table)} (${t.fields.map((f) => `${ident(f)} varchar`).join(', ')}, "_OBJECT_KEY" varchar not null, "_LOADED_AT" timestamp_tz not null)`,
    ),
    `create table if not exists ${s}.${ident(MANIFEST_TABLE)} (object_key varchar primary key, topic varchar not null, bronze_table varchar not null, size_bytes number not null, row_count number not null, loaded_at timestamp_tz not null)`,
    `alter table ${s}.${ident(MANIFEST_TABLE)} add column if not exists rejected_count number default 0`,
    `create table if not exists ${s}.${ident(REJECTED_TABLE)} (object_key varchar not null, line_number number not null, bronze_table varchar not null, reason_code varchar not null, reason varchar not null, line_excerpt varchar not null, rejected_at timestamp_tz not null, primary key (object_key, line_number))`,
    `create temporary table if not exists ${ident(LANDING_TABLE)} (v variant)`,
  ];
}

/**
 * The stage folder of one object: its own folder (so a COPY from it reads that object and nothing else),
 * named after the lake key without its `date=`/`hour=` partition syntax.
 */
function stageLocation(schema: string, stage: string, key: string): string {
  const parsed = parseBronzeObjectKey(key);
  const folder = parsed
    ? `${parsed.topic}/${parsed.date}/${parsed.hour}/${posix.basename(key)}`
    : key.replaceAll('=', '-');
  return `@${ident(schema)}.${ident(stage)}/${folder}/`;
}

/** PUT of the already-gzipped local file; no re-compression, overwrite so a retried load is harmless. */
export function snowflakePutStatement(localFile: string, schema: string, stage: string, key: string): string {
  return `put ${literal(`file://${localFile}`)} ${literal(stageLocation(schema, stage, key))} auto_compress = false source_compression = gzip overwrite = true`;
}

/**
 * The statements that move one staged object into its bronze table, inside the load transaction: empty the
 * landing table, COPY the object's lines into it as JSON, INSERT their fields into bronze as text (a list as
 * its JSON text). FORCE = TRUE because the load manifest, committed with the rows, is what decides whether an
 * object is loaded: Snowflake's own 64-day load history would otherwise skip a file whose earlier COPY was
 * rolled back with its transaction.
 */
export function snowflakeLoadStatements(
  schema: string,
  stage: string,
  table: BronzeTable,
  object: BronzeObject,
): { clear: string; copy: string; insert: string } {
  const landing = ident(LANDING_TABLE);
  const compound = new Set(table.compoundFields ?? []);
  const extract = table.fields
    .map((f) => (compound.has(f) ? `to_json(v:${JSON.stringify(f)})` : `v:${JSON.stringify(f)}::varchar`))
    .join(', ');
  return {
    clear: `delete from ${landing}`,
    copy: `copy into ${landing} from ${stageLocation(schema, stage, object.key)} file_format = (type = json) force = true`,
    insert: `insert into ${ident(schema)}.${ident(table.table)} (${table.fields.map(ident).join(', ')}, "_OBJECT_KEY", "_LOADED_AT") select ${extract}, ${literal(object.key)}, current_timestamp() from ${landing}`,
  };
}

export function snowflakeManifestInsert(
  schema: string,
  table: BronzeTable,
  object: BronzeObject,
  rows: number,
  rejected = 0,
): string {
  return `insert into ${ident(schema)}.${ident(MANIFEST_TABLE)} (object_key, topic, bronze_table, size_bytes, row_count, loaded_at, rejected_count) values (${literal(object.key)}, ${literal(object.topic)}, ${literal(table.table)}, ${object.sizeBytes}, ${rows}, current_timestamp(), ${rejected})`;
}

/** The object's rejected lines, or null when it has none. */
export function snowflakeRejectedInsert(schema: string, prepared: PreparedObject): string | null {
  const values = rejectedRowValues(prepared, literal, 'current_timestamp()');
  return values.length > 0
    ? `insert into ${ident(schema)}.${ident(REJECTED_TABLE)} values ${values.join(', ')}`
    : null;
}
