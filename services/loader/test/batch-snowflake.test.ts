import { batchScenario } from './batch-scenario.js';
import { snowflakeUnderTest } from './support.js';

// Snowflake's protocol served by fakesnow: what this does and does not prove is in docs/warehouse.md.
batchScenario('snowflake', snowflakeUnderTest, 900_000);
