import type { loaderEnvSchema } from '@spotify-pipeline/shared/workloads';
import type { BuildContext } from './context.js';
import { type EnvName, lakeSecretEnv, lakeValues, type SecretEnv, type WorkloadEnv } from './workload-env.js';

/** Keys of the warehouse credentials Secret; a setting the resource gives (the database) is not read from it. */
const WAREHOUSE_SECRET_KEYS = {
  postgres: {
    required: ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD'],
    optional: ['POSTGRES_PORT'],
  },
  snowflake: {
    required: ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_PASSWORD', 'SNOWFLAKE_WAREHOUSE'],
    optional: ['SNOWFLAKE_ROLE'],
  },
} as const;

const DATABASE_ENV = { postgres: 'POSTGRES_DB', snowflake: 'SNOWFLAKE_DATABASE' } as const;

/**
 * The load and transform jobs' env (the loader's `loaderEnvSchema`; dbt's profile reads the same
 * variables). dbt writes its target and logs under /tmp, the pod's only writable folder.
 */
export function loaderEnv(ctx: BuildContext): WorkloadEnv<EnvName<typeof loaderEnvSchema>> {
  const warehouse = ctx.pipeline.spec.warehouse;
  const type = warehouse?.type ?? 'duckdb';
  const values: WorkloadEnv<EnvName<typeof loaderEnvSchema>>['values'] = {
    ...lakeValues(ctx),
    WAREHOUSE: type,
    DBT_TARGET_PATH: '/tmp/dbt-target',
    DBT_LOG_PATH: '/tmp/dbt-logs',
  };
  const secrets: SecretEnv[] = lakeSecretEnv(ctx);
  if (warehouse && type !== 'duckdb') {
    const keys = WAREHOUSE_SECRET_KEYS[type];
    const secret = warehouse.credentialsSecret ?? '';
    for (const key of keys.required) secrets.push({ name: key, secret, key });
    for (const key of keys.optional) secrets.push({ name: key, secret, key, optional: true });
    const database = DATABASE_ENV[type];
    if (warehouse.database) values[database] = warehouse.database;
    else secrets.push({ name: database, secret, key: database });
    if (type === 'snowflake') values.SNOWFLAKE_BRONZE_SCHEMA = warehouse.schema;
  }
  return { values, secrets };
}
