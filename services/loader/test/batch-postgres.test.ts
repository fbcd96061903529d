import { batchScenario } from './batch-scenario.js';
import { postgresUnderTest } from './support.js';

batchScenario('postgres', postgresUnderTest);
