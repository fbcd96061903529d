import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { env } from '../config.js';
import { optionalLakeShape, requireLake } from './lake-access.js';
import { requireBrokers, sourceKafkaShape } from './source-env.js';

const positive = z.coerce.number().positive('must be greater than 0');
const count = (max: number) => env.int().pipe(z.number().int().min(1).max(max, `must be at most ${max}`));
const path = z.string().min(1, 'must be a path');

const utcDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z)?$/,
    'must be a UTC date such as 2026-01-01 or 2026-01-01T06:00:00Z',
  )
  .transform((s) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((ms) => !Number.isNaN(ms), 'is not a real date');

/**
 * Everything the simulator reads from its environment (its command-line flags set the same variables).
 * The operator builds a simulator pod's env with this schema, so both ends agree on names, defaults, limits.
 */
export const simulatorEnvSchema = z
  .object({
    ...sourceKafkaShape,
    SIMULATOR_MODE: z.enum(['backfill', 'realtime']).default('backfill'),
    SIMULATOR_SEED: env.int(1).pipe(z.number().int().min(0).max(0xffff_ffff, 'must be at most 4294967295')),
    /**
     * Names one run: sessions and event ids are drawn from (seed, run id, start), so runs never share an
     * id. Unset: a new random id per process, so replicas and restarts are new runs.
     */
    SIMULATOR_RUN_ID: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 printable ASCII characters without spaces')
      .default(() => randomUUID()),
    SIMULATOR_LISTENERS: count(1_000_000_000).default(10_000),
    SIMULATOR_ARTISTS: count(200_000).default(2000),
    SIMULATOR_START: utcDate.default(Date.UTC(2026, 0, 1)),
    SIMULATOR_DAYS: positive.default(1),
    SIMULATOR_EVENTS_PER_LISTENER_DAY: positive.default(80),
    /** Mean events/s of event time; realtime default 1000, backfill default listeners x per-day / 86400. */
    SIMULATOR_RATE: positive.optional(),
    SIMULATOR_MAX_EVENTS: count(Number.MAX_SAFE_INTEGER).optional(),
    SIMULATOR_SECONDS: positive.optional(),
    SIMULATOR_OUT: path.optional(),
    SIMULATOR_DRY_RUN: env.bool(false),
    SIMULATOR_CATALOG_OUT: path.optional(),
    /**
     * A tracks CSV in the shape of the public Spotify tracks datasets: the catalog is read from it instead of
     * generated (SIMULATOR_ARTISTS then has no effect).
     */
    SIMULATOR_CATALOG_CSV: path.optional(),
    /** Publish (or write, with SIMULATOR_CATALOG_OUT) the catalog and stop: no events. The catalog import. */
    SIMULATOR_CATALOG_ONLY: env.bool(false),
    SIMULATOR_SUMMARY: path.optional(),
    ...optionalLakeShape,
    /**
     * Lake key prefix for the ground-truth summary: when the run ends (bounded, or stopped by SIGTERM) it is
     * written to LAKE_BUCKET as `<prefix><run id>.json`, so a pipeline in pods can be checked against it.
     */
    SIMULATOR_GROUND_TRUTH_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9!_.*'()/-]{1,512}$/, "must be an object key prefix (letters, digits, !_.*'()/-)")
      .optional(),
    /** Publish the catalog to the compacted catalog topics before the events. */
    SIMULATOR_CATALOG: env.bool(true),
    SIMULATOR_PRODUCERS: count(16).default(2),
    SIMULATOR_PROGRESS_SECONDS: positive.default(5),
    /** Serve /metrics, /healthz and /readyz on this port; unset: no ops server. */
    OPS_PORT: env.int().pipe(z.number().int().min(0).max(65_535)).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.SIMULATOR_OUT && config.SIMULATOR_DRY_RUN)
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_OUT'],
        message: 'SIMULATOR_OUT and SIMULATOR_DRY_RUN exclude each other',
      });
    else if (config.SIMULATOR_CATALOG_ONLY && config.SIMULATOR_OUT)
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_OUT'],
        message:
          'writes events, and SIMULATOR_CATALOG_ONLY makes none: SIMULATOR_CATALOG_OUT writes the catalog',
      });
    else if (config.SIMULATOR_CATALOG_ONLY && !config.SIMULATOR_CATALOG && !config.SIMULATOR_CATALOG_OUT)
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_CATALOG_ONLY'],
        message:
          'leaves nothing to do: the catalog is not published (SIMULATOR_CATALOG=false) and SIMULATOR_CATALOG_OUT is unset',
      });
    else if (!config.SIMULATOR_OUT && !config.SIMULATOR_DRY_RUN && !writesCatalogFilesOnly(config))
      requireBrokers(config, ctx, 'SIMULATOR_OUT or SIMULATOR_DRY_RUN is set');
    if (config.SIMULATOR_GROUND_TRUTH_PREFIX)
      requireLake(config, ctx, 'when SIMULATOR_GROUND_TRUTH_PREFIX is set');
  });
export type SimulatorEnv = z.infer<typeof simulatorEnvSchema>;

/** A catalog import to files with no Kafka named: it writes SIMULATOR_CATALOG_OUT and publishes nothing. */
export function writesCatalogFilesOnly(
  config: Pick<SimulatorEnv, 'SIMULATOR_CATALOG_ONLY' | 'SIMULATOR_CATALOG_OUT' | 'KAFKA_BROKERS'>,
): boolean {
  return (
    config.SIMULATOR_CATALOG_ONLY &&
    config.SIMULATOR_CATALOG_OUT !== undefined &&
    !config.KAFKA_BROKERS?.length
  );
}
