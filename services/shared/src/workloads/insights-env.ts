import { z } from 'zod';
import { env } from '../config.js';
import { TOPICS } from '../contract/topics.js';
import { kafkaEnvSchema } from '../kafka.js';
import { requireWarehouseSettings, warehouseConfig, warehouseEnvFields } from './warehouse-env.js';

const positiveInt = (fallback: number, what: string) =>
  env.int(fallback).pipe(z.number().int().min(1, `must be at least 1 (${what})`));

const insightsFields = z.object({
  ...warehouseEnvFields,
  /** Optional: with a Kafka connection the service reports the lake writer's lag. */
  ...kafkaEnvSchema.partial({ KAFKA_BROKERS: true }).shape,
  INSIGHTS_HOST: z.string().min(1).default('0.0.0.0'),
  INSIGHTS_PORT: env.int(8080).pipe(z.number().int().min(0).max(65_535)),
  /** Deadline of every warehouse query; a request that needs longer gets a 504 with a message. */
  INSIGHTS_QUERY_TIMEOUT_MS: positiveInt(5000, 'deadline of one warehouse query').pipe(
    z.number().max(120_000, 'must be at most 120000'),
  ),
  /** How long an answer is reused; a new gold build (a new data version) turns the cache over at once. */
  INSIGHTS_CACHE_SECONDS: env.int(30).pipe(z.number().int().min(0).max(3600)),
  INSIGHTS_CACHE_ENTRIES: positiveInt(2000, 'answers kept in memory'),
  /** How often a new gold build is looked for (snapshot file for DuckDB, gold_freshness otherwise). */
  INSIGHTS_REFRESH_POLL_MS: positiveInt(2000, 'interval between checks for a new gold build'),
  /** Queries running at once against the warehouse; more wait in line within their deadline. */
  INSIGHTS_WAREHOUSE_CONNECTIONS: positiveInt(4, 'warehouse connections').pipe(z.number().max(64)),
  INSIGHTS_DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'must be a size such as 512MB or 2GiB')
    .default('1GB'),
  /** The built dashboard (index.html and assets); the image sets it, `npm start` builds into it. */
  INSIGHTS_WEB_DIR: z.string().min(1).optional(),
  INSIGHTS_LAG_GROUP_ID: z.string().min(1).default('lake-writer'),
  INSIGHTS_LAG_TOPIC: z.string().min(1).default(TOPICS.listeningEvents),
});

/**
 * Everything the insights service reads from its environment: where to serve, the warehouse (as for the
 * loader; the chosen one's settings end up under `warehouse`), and an optional Kafka connection for the lake
 * writer's lag. The operator builds the Deployment's env with this same schema.
 */
export const insightsEnvSchema = insightsFields
  .superRefine(requireWarehouseSettings)
  .transform((config) => ({ ...config, warehouse: warehouseConfig(config) }));

export type InsightsEnv = z.output<typeof insightsEnvSchema>;
