import { parquetWriteBuffer } from 'hyparquet-writer';
import type { HourGroup } from './partition-buffer.js';

type ParquetType = 'STRING' | 'INT32' | 'INT64' | 'BOOLEAN' | 'TIMESTAMP';

/**
 * Every bronze Parquet file has this one schema (the contract's fields, then the writer's metadata), so
 * query engines read a whole hour, or a whole table, without schema merging. Optional contract fields are
 * nullable columns.
 */
export const PARQUET_COLUMNS: ReadonlyArray<readonly [name: string, type: ParquetType, nullable: boolean]> = [
  ['schema_version', 'INT32', false],
  ['event_id', 'STRING', false],
  ['event_type', 'STRING', false],
  ['event_ts', 'TIMESTAMP', false],
  ['user_id', 'STRING', false],
  ['session_id', 'STRING', false],
  ['track_id', 'STRING', false],
  ['track_name', 'STRING', false],
  ['artist_id', 'STRING', false],
  ['artist_name', 'STRING', false],
  ['album_id', 'STRING', true],
  ['album_name', 'STRING', true],
  ['duration_ms', 'INT64', false],
  ['position_ms', 'INT64', false],
  ['ms_played', 'INT64', true],
  ['device_type', 'STRING', false],
  ['country', 'STRING', false],
  ['context_type', 'STRING', true],
  ['context_id', 'STRING', true],
  ['source', 'STRING', false],
  ['shuffle', 'BOOLEAN', true],
  ['offline', 'BOOLEAN', true],
  ['_topic', 'STRING', false],
  ['_partition', 'INT32', false],
  ['_offset', 'INT64', false],
  ['_ingested_at', 'TIMESTAMP', false],
];

function convert(value: unknown, type: ParquetType): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'INT64') return BigInt(value as number);
  if (type === 'TIMESTAMP') return new Date(value as string);
  return value;
}

/**
 * One group as a Parquet file (snappy pages). The rows are already validated JSON, so they are parsed back
 * here; Parquet is the slower, columnar option, JSON Lines the fast default. Runs on the main thread.
 */
export function encodeParquet(group: HourGroup): Buffer {
  const rows = group.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const columnData = PARQUET_COLUMNS.map(([name, type, nullable]) => ({
    name,
    type,
    nullable,
    data: rows.map((row) => convert(row[name], type)),
  }));
  return Buffer.from(parquetWriteBuffer({ columnData, createdBy: 'spotify-pipeline lake-writer' }));
}
