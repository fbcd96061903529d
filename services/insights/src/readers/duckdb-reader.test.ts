import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '@spotify-pipeline/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../sql/sql.js';
import { createDuckDbReader } from './duckdb-reader.js';
import { QueryTimeoutError, UnavailableError } from './reader.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes a file with one gold table aside, then renames it into place, as the loader publishes one. */
async function goldFile(path: string, plays: number) {
  const aside = join(dirname(path), 'aside.duckdb');
  const instance = await DuckDBInstance.create(aside);
  const connection = await instance.connect();
  await connection.run(`create schema gold; create table gold.daily as select ${plays} as plays`);
  connection.closeSync();
  instance.closeSync();
  renameSync(aside, path);
}

async function reader(path: string, overrides: { queryTimeoutMs?: number; connections?: number } = {}) {
  const r = await createDuckDbReader({
    path,
    pollMs: 20,
    queryTimeoutMs: overrides.queryTimeoutMs ?? 5000,
    connections: overrides.connections ?? 2,
    memoryLimit: '256MB',
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  closers.push(() => r.close());
  return r;
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
};

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sp-insights-reader-'));
  dirs.push(dir);
  return dir;
}

// DuckDB files are created, opened and closed several times: seconds on a busy machine.
describe('the DuckDB gold reader', { timeout: 60_000 }, () => {
  it('waits for the snapshot, then reads it, even from a file named gold.duckdb', async () => {
    const path = join(tempDir(), 'gold.duckdb');
    const r = await reader(path);
    expect(r.unavailableReason()).toMatch(/no gold snapshot at .*gold\.duckdb yet/);
    await expect(r.query(sql`select 1`)).rejects.toBeInstanceOf(UnavailableError);
    await goldFile(path, 5);
    await until(async () => r.unavailableReason() === null);
    expect(await r.query(sql`select plays from gold.daily where plays = ${5}`)).toEqual([{ plays: 5 }]);
  });

  it('swaps in a newly published snapshot and changes its data version', async () => {
    const dir = tempDir();
    const path = join(dir, 'insights.duckdb');
    await goldFile(path, 5);
    const r = await reader(path);
    const before = r.dataVersion();
    await goldFile(path, 6);
    await until(async () => (await r.query(sql`select plays from gold.daily`))[0]?.plays === 6);
    expect(r.dataVersion()).not.toBe(before);
  });

  it('refuses writes, file access and attaching other databases', async () => {
    const path = join(tempDir(), 'insights.duckdb');
    await goldFile(path, 5);
    const r = await reader(path);
    await expect(r.query(sql`create table gold.x as select 1`)).rejects.toThrow(/read-only|Cannot execute/i);
    await expect(r.query(sql`select * from read_csv('/etc/passwd')`)).rejects.toThrow(/disabled/);
    await expect(r.query(sql`attach '/tmp/other.duckdb' as other`)).rejects.toThrow(/disabled/);
    await expect(r.query(sql`set enable_external_access = true`)).rejects.toThrow(/Cannot change/);
    expect(await r.query(sql`select plays from gold.daily`)).toEqual([{ plays: 5 }]);
  });

  it('cancels a query at its deadline, and one waiting for a connection too', async () => {
    const path = join(tempDir(), 'insights.duckdb');
    await goldFile(path, 5);
    const r = await reader(path, { queryTimeoutMs: 300, connections: 1 });
    const slow = sql`select count(*) from range(100000000) as a, range(100000) as b where a.range + b.range = -1`;
    const results = await Promise.allSettled([r.query(slow), r.query(slow)]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(QueryTimeoutError);
    }
    expect(await r.query(sql`select plays from gold.daily`)).toEqual([{ plays: 5 }]);
  });
});
