import type { ClientConfig } from 'pg';
import type { WarehouseConfig } from '../workloads/warehouse-env.js';

export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function postgresSettings(config: Extract<WarehouseConfig, { type: 'postgres' }>): PostgresSettings {
  const p = config.postgres;
  return {
    host: p.POSTGRES_HOST,
    port: p.POSTGRES_PORT,
    user: p.POSTGRES_USER,
    password: p.POSTGRES_PASSWORD,
    database: p.POSTGRES_DB,
  };
}

/**
 * The `pg` client settings every workload uses. `readOnly` makes every transaction of the session read-only
 * on the server side, and `statementTimeoutMs` is the server's own deadline per statement, so a reader can
 * neither write nor hold a query open past its deadline, whatever SQL reaches it.
 */
export function postgresClientConfig(
  settings: PostgresSettings,
  options: { applicationName: string; readOnly?: boolean; statementTimeoutMs?: number },
): ClientConfig {
  const serverOptions = [
    ...(options.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ...(options.statementTimeoutMs ? [`-c statement_timeout=${Math.ceil(options.statementTimeoutMs)}`] : []),
  ];
  return {
    ...settings,
    application_name: options.applicationName,
    ...(serverOptions.length ? { options: serverOptions.join(' ') } : {}),
    ...(options.statementTimeoutMs ? { query_timeout: Math.ceil(options.statementTimeoutMs) + 1000 } : {}),
  };
}
