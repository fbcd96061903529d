import { postgresSettings } from '@spotify-pipeline/shared/warehouse/postgres';
import { snowflakeSettings } from '@spotify-pipeline/shared/warehouse/snowflake';
import type { WarehouseConfig } from './config.js';
import { createDuckDbWarehouse } from './duckdb-warehouse.js';
import { createPostgresWarehouse } from './postgres-warehouse.js';
import { connectSnowflakeWarehouse } from './snowflake-warehouse.js';
import type { Warehouse } from './warehouse.js';

export function createWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  switch (config.type) {
    case 'duckdb':
      return createDuckDbWarehouse({ path: config.duckdb.DUCKDB_PATH });
    case 'postgres':
      return createPostgresWarehouse(postgresSettings(config));
    case 'snowflake':
      return connectSnowflakeWarehouse(snowflakeSettings(config));
  }
}
