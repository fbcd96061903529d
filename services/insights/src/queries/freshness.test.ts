import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '@spotify-pipeline/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createDuckDbReader } from '../readers/duckdb-reader.js';
import { getGoldFreshness } from './freshness.js';

const dir = mkdtempSync(join(tmpdir(), 'sp-insights-freshness-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A snapshot as the loader publishes it with BRONZE_SCHEMA=raw_lake, and a decoy manifest in `bronze`.
async function snapshot(path: string) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(`
    create schema gold; create schema raw_lake; create schema bronze;
    create table gold.gold_freshness as select
      timestamp '2026-03-01 10:00:00' as built_at, timestamp '2026-03-01 09:00:00' as newest_event_at,
      timestamp '2026-03-01 09:30:00' as newest_loaded_at, 42 as events;
    create table raw_lake._load_manifest as select * from (values
      ('a', timestamp '2026-03-01 09:30:00'), ('b', timestamp '2026-03-01 09:45:00')) t (object_key, loaded_at);
    create table bronze._load_manifest as select 'decoy' as object_key, timestamp '2020-01-01' as loaded_at;`);
  connection.closeSync();
  instance.closeSync();
}

describe('gold freshness', { timeout: 60_000 }, () => {
  it('reads the load manifest from the configured bronze schema, not a fixed one', async () => {
    const path = join(dir, 'snapshot.duckdb');
    await snapshot(path);
    const reader = await createDuckDbReader({
      path,
      pollMs: 60_000,
      queryTimeoutMs: 10_000,
      connections: 1,
      memoryLimit: '256MB',
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    try {
      expect(await getGoldFreshness(reader, 'RAW_LAKE')).toEqual({
        refreshedAt: '2026-03-01T10:00:00.000Z',
        newestEventAt: '2026-03-01T09:00:00.000Z',
        newestLoadedAt: '2026-03-01T09:30:00.000Z',
        events: 42,
        lastLoadAt: '2026-03-01T09:45:00.000Z',
        loadedObjects: 2,
      });
    } finally {
      await reader.close();
    }
  });
});
