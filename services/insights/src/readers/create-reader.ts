import type { Logger } from '@spotify-pipeline/shared';
import { postgresSettings } from '@spotify-pipeline/shared/warehouse/postgres';
import { snowflakeSettings } from '@spotify-pipeline/shared/warehouse/snowflake';
import type { InsightsEnv } from '@spotify-pipeline/shared/workloads';
import { createDuckDbReader } from './duckdb-reader.js';
import { createPostgresReader } from './postgres-reader.js';
import type { GoldReader } from './reader.js';
import { createSnowflakeReader } from './snowflake-reader.js';

export function createGoldReader(config: InsightsEnv, logger: Logger): Promise<GoldReader> {
  const { warehouse } = config;
  const common = {
    queryTimeoutMs: config.INSIGHTS_QUERY_TIMEOUT_MS,
    pollMs: config.INSIGHTS_REFRESH_POLL_MS,
    logger,
  };
  switch (warehouse.type) {
    case 'duckdb':
      return createDuckDbReader({
        ...common,
        path: warehouse.duckdb.DUCKDB_PATH,
        connections: config.INSIGHTS_WAREHOUSE_CONNECTIONS,
        memoryLimit: config.INSIGHTS_DUCKDB_MEMORY_LIMIT,
      });
    case 'postgres':
      return createPostgresReader({
        ...common,
        settings: postgresSettings(warehouse),
        connections: config.INSIGHTS_WAREHOUSE_CONNECTIONS,
      });
    case 'snowflake':
      return createSnowflakeReader({ ...common, settings: snowflakeSettings(warehouse) });
  }
}
