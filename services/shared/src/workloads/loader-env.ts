import { z } from 'zod';
import { env } from '../config.js';
import { CATALOG_TOPICS, TOPICS } from '../contract/topics.js';
import { objectStoreEnvSchema } from '../object-store.js';

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

const loaderFields = objectStoreEnvSchema.extend({
  WAREHOUSE: z.enum(WAREHOUSES).default('duckdb'),
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
  DUCKDB_PATH: z.string().default('warehouse.duckdb'),
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
});

/**
 * Everything the loader (`load`, and `batch` = load then `dbt build`) reads from its environment. The
 * operator builds the load and transform jobs' env with this schema. The chosen warehouse's own settings
 * end up under `warehouse`.
 */
export const loaderEnvSchema = loaderFields
  .superRefine((config, ctx) => {
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
  })
  .transform((config) => ({ ...config, warehouse: warehouseConfig(config) }));

type LoaderFields = z.output<typeof loaderFields>;

/** The chosen warehouse's settings; the refinement has already required the ones it cannot do without. */
function warehouseConfig(c: LoaderFields): WarehouseConfig {
  if (c.WAREHOUSE === 'duckdb') return { type: 'duckdb', duckdb: { DUCKDB_PATH: c.DUCKDB_PATH } };
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
  | { type: 'duckdb'; duckdb: { DUCKDB_PATH: string } }
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

export type LoaderEnv = z.output<typeof loaderEnvSchema>;
