import { z } from 'zod';
import { loadConfig } from '../config.js';

const required = (what: string) => z.string().min(1, `is required for ${what}`);

export const WAREHOUSE_TYPES = ['duckdb', 'postgres', 'snowflake'] as const;
export type WarehouseType = (typeof WAREHOUSE_TYPES)[number];

/** `WAREHOUSE`: which warehouse a workload talks to (also the dbt `--target`). */
export const warehouseTypeEnvSchema = z.object({
  WAREHOUSE: z.enum(WAREHOUSE_TYPES).default('duckdb'),
});

export const duckdbEnvSchema = z.object({
  DUCKDB_PATH: z.string().default('warehouse.duckdb'),
  /**
   * Where `batch` publishes a read-only copy of gold after each successful build (DuckDB lets no one else
   * open a file while the loader or dbt writes it); the insights service reads that copy. Unset: none.
   */
  DUCKDB_SNAPSHOT_PATH: z.string().min(1).optional(),
});

export const postgresEnvSchema = z.object({
  POSTGRES_HOST: required('WAREHOUSE=postgres'),
  POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  POSTGRES_USER: required('WAREHOUSE=postgres'),
  POSTGRES_PASSWORD: required('WAREHOUSE=postgres: mount it from the warehouse credentials Secret'),
  POSTGRES_DB: required('WAREHOUSE=postgres'),
});

export const snowflakeEnvSchema = z.object({
  SNOWFLAKE_ACCOUNT: required('WAREHOUSE=snowflake'),
  SNOWFLAKE_USER: required('WAREHOUSE=snowflake'),
  SNOWFLAKE_PASSWORD: required('WAREHOUSE=snowflake: mount it from the warehouse credentials Secret'),
  SNOWFLAKE_DATABASE: required('WAREHOUSE=snowflake'),
  SNOWFLAKE_WAREHOUSE: required('WAREHOUSE=snowflake'),
  SNOWFLAKE_ROLE: z.string().optional(),
  SNOWFLAKE_BRONZE_SCHEMA: z.string().default('BRONZE'),
});

export type WarehouseConfig =
  | { type: 'duckdb'; duckdb: z.infer<typeof duckdbEnvSchema> }
  | { type: 'postgres'; postgres: z.infer<typeof postgresEnvSchema> }
  | { type: 'snowflake'; snowflake: z.infer<typeof snowflakeEnvSchema> };

/** The chosen warehouse's own settings, validated only once the choice is known (one error lists them all). */
export function loadWarehouseConfig(type: WarehouseType, source: NodeJS.ProcessEnv): WarehouseConfig {
  switch (type) {
    case 'duckdb':
      return { type, duckdb: loadConfig(duckdbEnvSchema, source) };
    case 'postgres':
      return { type, postgres: loadConfig(postgresEnvSchema, source) };
    case 'snowflake':
      return { type, snowflake: loadConfig(snowflakeEnvSchema, source) };
  }
}
