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

// DuckDB files are created, opened and closed several times: seconds on a busy machine.
describe('publishGoldSnapshot', { timeout: 60_000 }, () => {
  it('copies gold (views as tables) and the load manifest of the configured bronze schema, nothing else, and swaps the file under open readers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-snapshot-'));
    dirs.push(dir);
    const source = join(dir, 'warehouse.duckdb');
    const target = join(dir, 'insights.duckdb');
    await warehouse(
      source,
      `create schema raw_lake; create schema bronze; create schema silver; create schema gold;
       create table raw_lake.listening_events as select 1 as x;
       create table raw_lake._load_manifest as select 'k1' as object_key;
       create table bronze._load_manifest as select 'another pipeline' as object_key;
       create table silver.stg as
         select * from (values ('u2', 2), ('u1', 3), ('u2', 1), ('u1', 1)) as t (user_id, event_at);
       create table gold.daily as select 5 as plays;
       -- As dbt makes it on DuckDB: a view naming its table without the file's catalog, so that it still
       -- resolves when the file is attached under another name (the snapshot attaches it as src).
       create view gold.fct_listening_events as select * from silver.stg;
       create table gold."odd ""name""" as select 1 as x;`,
    );
    const bronzeSchema = 'raw_lake';
    expect(await publishGoldSnapshot({ source, target, bronzeSchema })).toMatchObject({ tables: 4 });

    const first = await readOnly(target);
    expect(
      (await first.rows('select table_schema, table_name from information_schema.tables order by 1, 2')).map(
        (r) => `${r.table_schema}.${r.table_name}`,
      ),
    ).toEqual(['gold.daily', 'gold.fct_listening_events', 'gold.odd "name"', 'raw_lake._load_manifest']);
    expect(
      await first.rows("select table_name from information_schema.tables where table_type <> 'BASE TABLE'"),
    ).toEqual([]);
    expect(await first.rows('select object_key from raw_lake._load_manifest')).toEqual([
      { object_key: 'k1' },
    ]);
    // Stored in listener order, so that one listener's rows sit together (no ORDER BY: storage order).
    expect(await first.rows('select user_id, event_at from gold.fct_listening_events')).toEqual([
      { user_id: 'u1', event_at: 1 },
      { user_id: 'u1', event_at: 3 },
      { user_id: 'u2', event_at: 1 },
      { user_id: 'u2', event_at: 2 },
    ]);

    await warehouse(source, 'update gold.daily set plays = 6');
    await publishGoldSnapshot({ source, target, bronzeSchema });
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
    await expect(publishGoldSnapshot({ source, target, bronzeSchema: 'bronze' })).rejects.toThrow(
      /_load_manifest/,
    );
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
