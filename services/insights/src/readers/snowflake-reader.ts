import type { Logger } from '@spotify-pipeline/shared';
import { connectSnowflake, type SnowflakeSettings } from '@spotify-pipeline/shared/warehouse/snowflake';
import { DIALECTS } from '../sql/dialect.js';
import { render, type Sql } from '../sql/sql.js';
import { type GoldReader, normalizeRow, QueryTimeoutError, type Row } from './reader.js';
import { pollGoldVersion } from './version-poller.js';

/**
 * Snowflake through the shared snowflake-sdk session. The deadline is Snowflake's own
 * STATEMENT_TIMEOUT_IN_SECONDS for the session, with a client-side timer behind it; read-only access comes
 * from the role (grant it SELECT on the gold schema only). Not run against Snowflake here (docs/insights.md).
 */
export async function createSnowflakeReader(options: {
  settings: SnowflakeSettings;
  queryTimeoutMs: number;
  pollMs: number;
  logger: Logger;
}): Promise<GoldReader> {
  const logger = options.logger.child({ component: 'snowflake-reader' });
  const session = await connectSnowflake(options.settings, {
    application: 'spotify-pipeline-insights',
    statementTimeoutSeconds: options.queryTimeoutMs / 1000,
  });
  const query = async (query: Sql): Promise<Row[]> => {
    const { text, params } = render(query, 'question');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueryTimeoutError(options.queryTimeoutMs)), options.queryTimeoutMs);
    });
    try {
      const rows = await Promise.race([session.execute(text, params), timeout]);
      return rows.map(normalizeRow);
    } finally {
      clearTimeout(timer);
    }
  };
  const dialect = DIALECTS.snowflake;
  const version = pollGoldVersion({ reader: { query, dialect }, pollMs: options.pollMs, logger });
  await version.first;
  return {
    kind: 'snowflake',
    dialect,
    dataVersion: version.version,
    unavailableReason: version.reason,
    query,
    async close() {
      version.stop();
      await session.close();
    },
  };
}
