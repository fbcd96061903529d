import type { Logger } from '@spotify-pipeline/shared';
import { type PostgresSettings, postgresClientConfig } from '@spotify-pipeline/shared/warehouse/postgres';
import pg from 'pg';
import { DIALECTS } from '../sql/dialect.js';
import { render, type Sql } from '../sql/sql.js';
import { type GoldReader, normalizeRow, QueryTimeoutError, type Row, UnavailableError } from './reader.js';
import { pollGoldVersion } from './version-poller.js';

/** PostgreSQL's code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * PostgreSQL through a small pool. Every session is read-only on the server side
 * (default_transaction_read_only) with statement_timeout as the deadline; give the service a role that can
 * only SELECT gold (docs/insights.md) so that even a bug here could not write.
 */
export async function createPostgresReader(options: {
  settings: PostgresSettings;
  connections: number;
  queryTimeoutMs: number;
  pollMs: number;
  logger: Logger;
}): Promise<GoldReader> {
  const logger = options.logger.child({ component: 'postgres-reader' });
  const pool = new pg.Pool({
    ...postgresClientConfig(options.settings, {
      applicationName: 'spotify-pipeline-insights',
      readOnly: true,
      statementTimeoutMs: options.queryTimeoutMs,
    }),
    max: options.connections,
    connectionTimeoutMillis: options.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not take the process down; the next query reports it.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));

  const query = async (query: Sql): Promise<Row[]> => {
    const { text, params } = render(query, 'numbered');
    try {
      const result = await pool.query({ text, values: params });
      return result.rows.map(normalizeRow);
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === QUERY_CANCELED || /timeout/i.test(e.message))
        throw new QueryTimeoutError(options.queryTimeoutMs, { cause: err });
      if (!e.code || /ECONNREFUSED|ENOTFOUND|ECONNRESET/.test(e.code))
        throw new UnavailableError(`PostgreSQL does not answer: ${e.message}`, { cause: err });
      throw err;
    }
  };
  const dialect = DIALECTS.postgres;
  const version = pollGoldVersion({ reader: { query, dialect }, pollMs: options.pollMs, logger });
  await version.first;
  return {
    kind: 'postgres',
    dialect,
    dataVersion: version.version,
    unavailableReason: version.reason,
    query,
    async close() {
      version.stop();
      await pool.end();
    },
  };
}
