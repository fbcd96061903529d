import { parquetScenario } from './parquet-scenario.js';
import { duckDbUnderTest } from './support.js';

parquetScenario('duckdb', duckDbUnderTest);
