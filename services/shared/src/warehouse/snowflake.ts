import type { WarehouseConfig } from '../workloads/warehouse-env.js';

export interface SnowflakeSettings {
  account: string;
  username: string;
  password: string;
  database: string;
  warehouse: string;
  role?: string | undefined;
  schema: string;
}

export function snowflakeSettings(
  config: Extract<WarehouseConfig, { type: 'snowflake' }>,
): SnowflakeSettings {
  const s = config.snowflake;
  return {
    account: s.SNOWFLAKE_ACCOUNT,
    username: s.SNOWFLAKE_USER,
    password: s.SNOWFLAKE_PASSWORD,
    database: s.SNOWFLAKE_DATABASE,
    warehouse: s.SNOWFLAKE_WAREHOUSE,
    role: s.SNOWFLAKE_ROLE,
    schema: s.SNOWFLAKE_BRONZE_SCHEMA,
  };
}

export type SnowflakeBind = string | number | boolean | null;

/** One statement with optional positional binds (`?`), rows as objects; the snowflake-sdk connection, or a fake in tests. */
export type SnowflakeExecutor = (
  sqlText: string,
  binds?: readonly SnowflakeBind[],
) => Promise<Array<Record<string, unknown>>>;

export interface SnowflakeSession {
  execute: SnowflakeExecutor;
  close(): Promise<void>;
}

/**
 * Connects with snowflake-sdk (imported only when Snowflake is the warehouse, so other workloads never load
 * it). `statementTimeoutSeconds` sets Snowflake's own per-statement deadline for the session.
 */
export async function connectSnowflake(
  settings: SnowflakeSettings,
  options: { application: string; statementTimeoutSeconds?: number },
): Promise<SnowflakeSession> {
  const snowflake = (await import('snowflake-sdk')).default;
  const connection = snowflake.createConnection({
    account: settings.account,
    username: settings.username,
    password: settings.password,
    database: settings.database,
    warehouse: settings.warehouse,
    ...(settings.role ? { role: settings.role } : {}),
    application: options.application,
  });
  await connection.connectAsync();
  const execute: SnowflakeExecutor = (sqlText, binds) =>
    new Promise((resolve, reject) => {
      connection.execute({
        sqlText,
        ...(binds ? { binds: [...binds] } : {}),
        complete: (err, _stmt, rows) =>
          err ? reject(err) : resolve((rows ?? []) as Array<Record<string, unknown>>),
      });
    });
  if (options.statementTimeoutSeconds)
    await execute(
      `alter session set statement_timeout_in_seconds = ${Math.ceil(options.statementTimeoutSeconds)}`,
    );
  return {
    execute,
    close: () => new Promise((resolve) => connection.destroy(() => resolve())),
  };
}
