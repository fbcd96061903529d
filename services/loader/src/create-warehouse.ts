import type { WarehouseConfig } from './config.js';
import { createDuckDbWarehouse } from './duckdb-warehouse.js';
import { createPostgresWarehouse } from './postgres-warehouse.js';
import { connectSnowflake } from './snowflake-warehouse.js';
import type { Warehouse } from './warehouse.js';

export function createWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  switch (config.type) {
    case 'duckdb':
      return createDuckDbWarehouse({ path: config.duckdb.DUCKDB_PATH });
    case 'postgres': {
      const p = config.postgres;
      return createPostgresWarehouse({
        host: p.POSTGRES_HOST,
        port: p.POSTGRES_PORT,
        user: p.POSTGRES_USER,
        password: p.POSTGRES_PASSWORD,
        database: p.POSTGRES_DB,
      });
    }
    case 'snowflake': {
      const s = config.snowflake;
      return connectSnowflake({
        account: s.SNOWFLAKE_ACCOUNT,
        username: s.SNOWFLAKE_USER,
        password: s.SNOWFLAKE_PASSWORD,
        database: s.SNOWFLAKE_DATABASE,
        warehouse: s.SNOWFLAKE_WAREHOUSE,
        role: s.SNOWFLAKE_ROLE,
        schema: s.SNOWFLAKE_BRONZE_SCHEMA,
      });
    }
  }
}
