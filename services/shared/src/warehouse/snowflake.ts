import type { ConnectionOptions } from 'snowflake-sdk';
import type { Logger } from '../logging.js';
import type { WarehouseConfig } from '../workloads/warehouse-env.js';

export interface SnowflakeSettings {
  account: string;
  username: string;
  /** Key pair (PEM private key, optionally encrypted) or password: Snowflake is retiring password-only sign-in. */
  auth: { privateKey: string; passphrase?: string | undefined } | { password: string };
  database: string;
  warehouse: string;
  role?: string | undefined;
  /** Set only for an endpoint other than <account>.snowflakecomputing.com. */
  endpoint?: { host: string; port: number; protocol: 'https' | 'http' } | undefined;
  /** Where bronze lives. */
  schema: string;
}

export function snowflakeSettings(
  config: Extract<WarehouseConfig, { type: 'snowflake' }>,
): SnowflakeSettings {
  const s = config.snowflake;
  return {
    account: s.SNOWFLAKE_ACCOUNT,
    username: s.SNOWFLAKE_USER,
    auth: s.SNOWFLAKE_PRIVATE_KEY
      ? { privateKey: s.SNOWFLAKE_PRIVATE_KEY, passphrase: s.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE }
      : { password: s.SNOWFLAKE_PASSWORD ?? '' },
    database: s.SNOWFLAKE_DATABASE,
    warehouse: s.SNOWFLAKE_WAREHOUSE,
    role: s.SNOWFLAKE_ROLE,
    endpoint: s.SNOWFLAKE_HOST
      ? { host: s.SNOWFLAKE_HOST, port: s.SNOWFLAKE_PORT, protocol: s.SNOWFLAKE_PROTOCOL }
      : undefined,
    schema: config.bronzeSchema,
  };
}

/** The snowflake-sdk connection options for these settings: key-pair sign-in (SNOWFLAKE_JWT) when a key is given. */
function snowflakeConnectionOptions(settings: SnowflakeSettings, application: string): ConnectionOptions {
  const { auth, endpoint } = settings;
  return {
    account: settings.account,
    username: settings.username,
    ...('privateKey' in auth
      ? {
          authenticator: 'SNOWFLAKE_JWT',
          privateKey: auth.privateKey,
          ...(auth.passphrase ? { privateKeyPass: auth.passphrase } : {}),
        }
      : { password: auth.password }),
    database: settings.database,
    warehouse: settings.warehouse,
    ...(settings.role ? { role: settings.role } : {}),
    ...(endpoint ? { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol } : {}),
    application,
  };
}

type SnowflakeBind = string | number | boolean | null;

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
 * it). `statementTimeoutSeconds` sets Snowflake's own per-statement deadline for the session. The driver's
 * warnings and errors go to `logger` (by default it writes a snowflake.log into the working directory, which
 * a read-only container has no right to).
 */
export async function connectSnowflake(
  settings: SnowflakeSettings,
  options: { application: string; statementTimeoutSeconds?: number; logger?: Logger },
): Promise<SnowflakeSession> {
  const snowflake = (await import('snowflake-sdk')).default;
  const log = options.logger?.child({ component: 'snowflake-sdk' });
  const drop = () => undefined;
  snowflake.configure({
    logLevel: 'WARN',
    customLogger: {
      error: (message: string) => (log ? log.error(message) : process.stderr.write(`${message}\n`)),
      warn: (message: string) => log?.warn(message),
      info: drop,
      debug: drop,
      trace: drop,
    },
  });
  const connection = snowflake.createConnection(snowflakeConnectionOptions(settings, options.application));
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
