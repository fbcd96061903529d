import { z } from 'zod';
import { env } from '../config.js';

export const WAREHOUSES = ['duckdb', 'postgres', 'snowflake'] as const;
export type WarehouseType = (typeof WAREHOUSES)[number];

/** Settings of each warehouse, required only when it is the chosen one; the *_PASSWORD come from a Secret. */
const WAREHOUSE_REQUIRED = {
  duckdb: [],
  postgres: ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
  snowflake: [
    'SNOWFLAKE_ACCOUNT',
    'SNOWFLAKE_USER',
    'SNOWFLAKE_PASSWORD',
    'SNOWFLAKE_DATABASE',
    'SNOWFLAKE_WAREHOUSE',
  ],
} as const satisfies Record<WarehouseType, readonly string[]>;

const text = z.string().min(1);

/** The warehouse choice and every warehouse's settings, for any workload that connects to the warehouse. */
export const warehouseEnvFields = {
  WAREHOUSE: z.enum(WAREHOUSES).default('duckdb'),
  DUCKDB_PATH: z.string().default('warehouse.duckdb'),
  /**
   * Where the loader's `batch` publishes a read-only copy of gold after each successful build (DuckDB lets
   * no one else open a file while the loader or dbt writes it); the insights service reads that copy.
   */
  DUCKDB_SNAPSHOT_PATH: text.optional(),
  POSTGRES_HOST: text.optional(),
  POSTGRES_PORT: env.int(5432).pipe(z.number().int().min(1).max(65_535)),
  POSTGRES_USER: text.optional(),
  POSTGRES_PASSWORD: text.optional(),
  POSTGRES_DB: text.optional(),
  SNOWFLAKE_ACCOUNT: text.optional(),
  SNOWFLAKE_USER: text.optional(),
  SNOWFLAKE_PASSWORD: text.optional(),
  SNOWFLAKE_DATABASE: text.optional(),
  SNOWFLAKE_WAREHOUSE: text.optional(),
  SNOWFLAKE_ROLE: z.string().optional(),
  SNOWFLAKE_BRONZE_SCHEMA: z.string().default('BRONZE'),
};

type WarehouseFields = z.output<z.ZodObject<typeof warehouseEnvFields>>;

/** Refinement: the chosen warehouse's own settings are present (one issue per missing one). */
export function requireWarehouseSettings(config: WarehouseFields, ctx: z.RefinementCtx): void {
  for (const name of WAREHOUSE_REQUIRED[config.WAREHOUSE]) {
    if (!config[name]) {
      const secret = name.endsWith('_PASSWORD') ? ': mount it from the warehouse credentials Secret' : '';
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required for WAREHOUSE=${config.WAREHOUSE}${secret}`,
      });
    }
  }
}

/** The chosen warehouse's settings; `requireWarehouseSettings` has already required the ones it cannot do without. */
export function warehouseConfig(c: WarehouseFields): WarehouseConfig {
  if (c.WAREHOUSE === 'duckdb')
    return {
      type: 'duckdb',
      duckdb: {
        DUCKDB_PATH: c.DUCKDB_PATH,
        ...(c.DUCKDB_SNAPSHOT_PATH ? { DUCKDB_SNAPSHOT_PATH: c.DUCKDB_SNAPSHOT_PATH } : {}),
      },
    };
  if (c.WAREHOUSE === 'postgres')
    return {
      type: 'postgres',
      postgres: {
        POSTGRES_HOST: c.POSTGRES_HOST!,
        POSTGRES_PORT: c.POSTGRES_PORT,
        POSTGRES_USER: c.POSTGRES_USER!,
        POSTGRES_PASSWORD: c.POSTGRES_PASSWORD!,
        POSTGRES_DB: c.POSTGRES_DB!,
      },
    };
  return {
    type: 'snowflake',
    snowflake: {
      SNOWFLAKE_ACCOUNT: c.SNOWFLAKE_ACCOUNT!,
      SNOWFLAKE_USER: c.SNOWFLAKE_USER!,
      SNOWFLAKE_PASSWORD: c.SNOWFLAKE_PASSWORD!,
      SNOWFLAKE_DATABASE: c.SNOWFLAKE_DATABASE!,
      SNOWFLAKE_WAREHOUSE: c.SNOWFLAKE_WAREHOUSE!,
      ...(c.SNOWFLAKE_ROLE ? { SNOWFLAKE_ROLE: c.SNOWFLAKE_ROLE } : {}),
      SNOWFLAKE_BRONZE_SCHEMA: c.SNOWFLAKE_BRONZE_SCHEMA,
    },
  };
}

export type WarehouseConfig =
  | { type: 'duckdb'; duckdb: { DUCKDB_PATH: string; DUCKDB_SNAPSHOT_PATH?: string } }
  | {
      type: 'postgres';
      postgres: {
        POSTGRES_HOST: string;
        POSTGRES_PORT: number;
        POSTGRES_USER: string;
        POSTGRES_PASSWORD: string;
        POSTGRES_DB: string;
      };
    }
  | {
      type: 'snowflake';
      snowflake: {
        SNOWFLAKE_ACCOUNT: string;
        SNOWFLAKE_USER: string;
        SNOWFLAKE_PASSWORD: string;
        SNOWFLAKE_DATABASE: string;
        SNOWFLAKE_WAREHOUSE: string;
        SNOWFLAKE_ROLE?: string;
        SNOWFLAKE_BRONZE_SCHEMA: string;
      };
    };
