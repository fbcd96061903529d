import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { publishGoldSnapshot } from './gold-snapshot.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function warehouse(path: string, statements: string) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(statements);
  connection.closeSync();
  instance.closeSync();
}

async function readOnly(path: string) {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  return {
    rows: async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS(),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

describe('publishGoldSnapshot', () => {
  it('copies gold and the load manifest, nothing else, and swaps the file under open readers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-snapshot-'));
    dirs.push(dir);
    const source = join(dir, 'warehouse.duckdb');
    const target = join(dir, 'insights.duckdb');
    await warehouse(
      source,
      `create schema bronze; create schema silver; create schema gold;
       create table bronze.listening_events as select 1 as x;
       create table bronze._load_manifest as select 'k1' as object_key;
       create table silver.stg as select 1 as x;
       create table gold.daily as select 5 as plays;
       create table gold."odd ""name""" as select 1 as x;`,
    );
    expect(await publishGoldSnapshot({ source, target })).toMatchObject({ tables: 3 });

    const first = await readOnly(target);
    expect(
      (await first.rows('select table_schema, table_name from information_schema.tables order by 1, 2')).map(
        (r) => `${r.table_schema}.${r.table_name}`,
      ),
    ).toEqual(['bronze._load_manifest', 'gold.daily', 'gold.odd "name"']);

    await warehouse(source, 'update gold.daily set plays = 6');
    await publishGoldSnapshot({ source, target });
    // The reader that opened the first snapshot still reads it whole; a new reader sees the new one.
    expect(await first.rows('select plays from gold.daily')).toEqual([{ plays: 5 }]);
    first.close();
    const second = await readOnly(target);
    expect(await second.rows('select plays from gold.daily')).toEqual([{ plays: 6 }]);
    second.close();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('leaves the published snapshot as it was when the copy fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-snapshot-'));
    dirs.push(dir);
    const source = join(dir, 'warehouse.duckdb');
    const target = join(dir, 'insights.duckdb');
    await warehouse(source, 'create schema bronze; create schema gold; create table gold.t as select 1 as x');
    // No bronze._load_manifest: the copy fails part-way.
    await expect(publishGoldSnapshot({ source, target })).rejects.toThrow(/_load_manifest/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
