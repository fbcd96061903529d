import { z } from 'zod';
import { env } from '../config.js';
import { CATALOG_TOPICS, catalogKindOf, TOPICS } from '../contract/topics.js';
import { objectStoreEnvSchema } from '../object-store.js';
import { requireWarehouseSettings, warehouseConfig, warehouseEnvFields } from './warehouse-env.js';

export type { WarehouseConfig, WarehouseType } from './warehouse-env.js';

const loaderFields = objectStoreEnvSchema.extend({
  ...warehouseEnvFields,
  LOADER_TOPICS: env.list().default([TOPICS.listeningEvents, ...CATALOG_TOPICS]),
  /** The lake topic of listening events (a pipeline may name its own); its objects load into listening_events. */
  LOADER_EVENTS_TOPIC: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"')
    .refine(
      (topic) => catalogKindOf(topic) === null,
      'must not be a catalog topic (a name ending in catalog.artists, .albums or .tracks): catalog records are not listening events',
    )
    .default(TOPICS.listeningEvents),
  /** Objects per warehouse transaction: more amortizes commit cost, fewer bounds what a crash redoes. */
  LOADER_BATCH_FILES: env.int(8).pipe(z.number().int().min(1).max(1000)),
  /** Objects downloaded and checked ahead of the batch being loaded: a whole batch, so the two overlap. */
  LOADER_PREFETCH: env.int(8).pipe(z.number().int().min(1).max(64)),
  DBT_BIN: z.string().default('dbt'),
  DBT_PROJECT_DIR: z.string().default('dbt'),
  DBT_PROFILES_DIR: z.string().optional(),
  DBT_TARGET_PATH: z.string().optional(),
  DBT_LOG_PATH: z.string().optional(),
});

/**
 * Everything the loader (`load`, and `batch` = load then `dbt build`) reads from its environment. The
 * operator builds the load and transform jobs' env with this schema. The chosen warehouse's own settings
 * end up under `warehouse`.
 */
export const loaderEnvSchema = loaderFields
  .superRefine(requireWarehouseSettings)
  .transform((config) => ({ ...config, warehouse: warehouseConfig(config) }));

export type LoaderEnv = z.output<typeof loaderEnvSchema>;
