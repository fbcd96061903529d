import type { WarehouseType } from '@spotify-pipeline/shared/workloads';
import { type PlaceholderStyle, type Sql, sql } from './sql.js';

/** The few expressions that differ between the warehouses the dashboard reads. */
export interface Dialect {
  readonly placeholders: PlaceholderStyle;
  /** ISO day of week of a timestamp, Monday = 1 ... Sunday = 7. */
  isoDayOfWeek(expression: Sql): Sql;
  /** Milliseconds since the epoch of a UTC timestamp (with or without time zone). */
  epochMs(expression: Sql): Sql;
}

const duckdb: Dialect = {
  placeholders: 'numbered',
  isoDayOfWeek: (e) => sql`extract(isodow from ${e})`,
  epochMs: (e) => sql`epoch_ms(${e})`,
};

const postgres: Dialect = {
  placeholders: 'numbered',
  isoDayOfWeek: (e) => sql`extract(isodow from ${e})`,
  epochMs: (e) => sql`(extract(epoch from ${e}) * 1000)`,
};

const snowflake: Dialect = {
  placeholders: 'question',
  isoDayOfWeek: (e) => sql`dayofweekiso(${e})`,
  epochMs: (e) => sql`date_part(epoch_millisecond, ${e})`,
};

export const DIALECTS: Record<WarehouseType, Dialect> = { duckdb, postgres, snowflake };
