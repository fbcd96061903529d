import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchScenario } from './batch-scenario.js';
import { queryDuckDb } from './support.js';

batchScenario('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sp-loader-duckdb-')), 'warehouse.duckdb');
  return {
    target: 'duckdb',
    env: { DUCKDB_PATH: path },
    query: (sql) => queryDuckDb(path, sql),
    stop: async () => undefined,
  };
});
