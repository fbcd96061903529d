import type { loaderEnvSchema } from '@spotify-pipeline/shared/workloads';
import type { BuildContext } from './context.js';
import { DUCKDB_FILES, usesDuckDbVolume } from './duckdb-volume.js';
import { catalogTopicNames } from './kafka-topic.js';
import { type EnvName, lakeSecretEnv, lakeValues, type SecretEnv, type WorkloadEnv } from './workload-env.js';

/** Keys of the warehouse credentials Secret; a setting the resource gives (the database) is not read from it. */
const WAREHOUSE_SECRET_KEYS = {
  postgres: {
    required: ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD'],
    oneOf: [],
    optional: ['POSTGRES_PORT'],
  },
  snowflake: {
    required: ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_WAREHOUSE'],
    // Key-pair sign-in (SNOWFLAKE_PRIVATE_KEY) or SNOWFLAKE_PASSWORD: the loader says at start if neither is there.
    oneOf: ['SNOWFLAKE_PASSWORD'],
    optional: [
      'SNOWFLAKE_PRIVATE_KEY',
      'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
      'SNOWFLAKE_ROLE',
      'SNOWFLAKE_HOST',
      'SNOWFLAKE_PORT',
      'SNOWFLAKE_PROTOCOL',
    ],
  },
} as const;

const DATABASE_ENV = { postgres: 'POSTGRES_DB', snowflake: 'SNOWFLAKE_DATABASE' } as const;

/**
 * Where the warehouse is, for any workload that connects to it (the shared `warehouseEnvFields`): the type
 * and database from the resource, the credentials from `secret` (the warehouse's own credentials Secret,
 * unless the workload has one of its own).
 */
export function warehouseEnv(ctx: BuildContext, secret = ctx.pipeline.spec.warehouse?.credentialsSecret) {
  const warehouse = ctx.pipeline.spec.warehouse;
  const type = warehouse?.type ?? 'duckdb';
  const values: Partial<
    Record<'WAREHOUSE' | 'POSTGRES_DB' | 'SNOWFLAKE_DATABASE' | 'BRONZE_SCHEMA', string>
  > = { WAREHOUSE: type };
  const secrets: SecretEnv[] = [];
  if (warehouse && type !== 'duckdb') {
    const keys = WAREHOUSE_SECRET_KEYS[type];
    const from = secret ?? '';
    for (const key of keys.required) secrets.push({ name: key, secret: from, key });
    for (const key of keys.oneOf) secrets.push({ name: key, secret: from, key, optional: true, oneOf: true });
    for (const key of keys.optional) secrets.push({ name: key, secret: from, key, optional: true });
    const database = DATABASE_ENV[type];
    if (warehouse.database) values[database] = warehouse.database;
    else secrets.push({ name: database, secret: from, key: database });
  }
  if (warehouse) values.BRONZE_SCHEMA = warehouse.schema;
  return { values, secrets };
}

/**
 * The load and transform jobs' env (the loader's `loaderEnvSchema`; dbt's profile reads the same
 * variables). dbt writes its target and logs under /tmp, the pod's only writable folder; DuckDB's file and
 * the gold snapshot the loader publishes for insights are on the DuckDB volume.
 */
export function loaderEnv(ctx: BuildContext): WorkloadEnv<EnvName<typeof loaderEnvSchema>> {
  const warehouse = warehouseEnv(ctx);
  const eventsTopic = ctx.pipeline.spec.kafka.topic.name;
  return {
    values: {
      ...lakeValues(ctx),
      ...warehouse.values,
      // The pipeline's own events topic loads into listening_events, its catalog topics into their tables.
      LOADER_EVENTS_TOPIC: eventsTopic,
      LOADER_TOPICS: [eventsTopic, ...catalogTopicNames(eventsTopic)].join(','),
      ...(usesDuckDbVolume(ctx)
        ? { DUCKDB_PATH: DUCKDB_FILES.warehouse, DUCKDB_SNAPSHOT_PATH: DUCKDB_FILES.snapshot }
        : {}),
      DBT_TARGET_PATH: '/tmp/dbt-target',
      DBT_LOG_PATH: '/tmp/dbt-logs',
    },
    secrets: [...lakeSecretEnv(ctx), ...warehouse.secrets],
  };
}
