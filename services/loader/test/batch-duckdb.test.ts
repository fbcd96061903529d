import { batchScenario } from './batch-scenario.js';
import { duckDbUnderTest } from './support.js';

batchScenario('duckdb', duckDbUnderTest);
