import type { Logger } from '@spotify-pipeline/shared';
import { postgresSettings } from '@spotify-pipeline/shared/warehouse/postgres';
import { snowflakeSettings } from '@spotify-pipeline/shared/warehouse/snowflake';
import type { WarehouseConfig } from './config.js';
import { createDuckDbWarehouse } from './duckdb-warehouse.js';
import { createPostgresWarehouse } from './postgres-warehouse.js';
import { connectSnowflakeWarehouse } from './snowflake-warehouse.js';
import type { Warehouse } from './warehouse.js';

export function createWarehouse(config: WarehouseConfig, logger?: Logger): Promise<Warehouse> {
  switch (config.type) {
    case 'duckdb':
      return createDuckDbWarehouse({ path: config.duckdb.DUCKDB_PATH, schema: config.bronzeSchema });
    case 'postgres':
      return createPostgresWarehouse(postgresSettings(config), config.bronzeSchema);
    case 'snowflake':
      return connectSnowflakeWarehouse(snowflakeSettings(config), logger);
  }
}
