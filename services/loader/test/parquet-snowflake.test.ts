import { parquetScenario } from './parquet-scenario.js';
import { snowflakeUnderTest } from './support.js';

parquetScenario('snowflake', snowflakeUnderTest, 900_000);
