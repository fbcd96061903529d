import { CATALOG_TOPICS, env, loadConfig, TOPICS } from '@spotify-pipeline/shared';
import { objectStoreEnvSchema } from '@spotify-pipeline/shared/object-store';
import { z } from 'zod';

const required = (what: string) => z.string().min(1, `is required for ${what}`);

/** Settings every loader run reads; the warehouse's own settings are validated after the choice is known. */
export const loaderEnvSchema = objectStoreEnvSchema.extend({
  WAREHOUSE: z.enum(['duckdb', 'postgres', 'snowflake']).default('duckdb'),
  LOADER_TOPICS: env.list().default([TOPICS.listeningEvents, ...CATALOG_TOPICS]),
  /** Objects per warehouse transaction: more amortizes commit cost, fewer bounds what a crash redoes. */
  LOADER_BATCH_FILES: env.int(8).pipe(z.number().int().min(1).max(1000)),
  /** Objects downloaded ahead of the one being loaded. */
  LOADER_PREFETCH: env.int(4).pipe(z.number().int().min(1).max(64)),
  DBT_BIN: z.string().default('dbt'),
  DBT_PROJECT_DIR: z.string().default('dbt'),
  DBT_PROFILES_DIR: z.string().optional(),
  DBT_TARGET_PATH: z.string().optional(),
  DBT_LOG_PATH: z.string().optional(),
});

export const duckdbEnvSchema = z.object({ DUCKDB_PATH: z.string().default('warehouse.duckdb') });

export const postgresEnvSchema = z.object({
  POSTGRES_HOST: required('WAREHOUSE=postgres'),
  POSTGRES_PORT: env.int(5432),
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

export type LoaderConfig = z.infer<typeof loaderEnvSchema> & { warehouse: WarehouseConfig };

export function loadLoaderConfig(source: NodeJS.ProcessEnv = process.env): LoaderConfig {
  const base = loadConfig(loaderEnvSchema, source);
  const warehouse: WarehouseConfig =
    base.WAREHOUSE === 'duckdb'
      ? { type: 'duckdb', duckdb: loadConfig(duckdbEnvSchema, source) }
      : base.WAREHOUSE === 'postgres'
        ? { type: 'postgres', postgres: loadConfig(postgresEnvSchema, source) }
        : { type: 'snowflake', snowflake: loadConfig(snowflakeEnvSchema, source) };
  return { ...base, warehouse };
}
