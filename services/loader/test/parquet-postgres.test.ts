import { parquetScenario } from './parquet-scenario.js';
import { postgresUnderTest } from './support.js';

parquetScenario('postgres', postgresUnderTest);
