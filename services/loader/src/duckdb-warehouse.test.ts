import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createDuckDbWarehouse } from './duckdb-warehouse.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const objectKey = (first: number) =>
  `bronze/listening-events/date=2026-01-31/hour=23/listening-events+0+${first}-${first + 1}.jsonl.gz`;
const fetched = (first: number, text: string) => ({
  object: { key: objectKey(first), topic: 'listening-events', sizeBytes: 10 },
  gzipped: gzipSync(text),
});

async function query(path: string, sql: string) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  connection.closeSync();
  instance.closeSync();
  return rows;
}

describe('DuckDB warehouse (embedded, temp file)', () => {
  it('loads rows and their manifest entry together, fields as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-loader-unit-'));
    dirs.push(dir);
    const path = join(dir, 'w.duckdb');
    const warehouse = await createDuckDbWarehouse({ path });
    await warehouse.prepare();
    const counts = await warehouse.loadBatch([
      fetched(0, '{"event_id":"a","duration_ms":5,"shuffle":true}\n{"event_id":"b","extra":1}\n'),
    ]);
    expect(counts).toEqual([2]);
    expect(await warehouse.loadedKeys()).toEqual(new Set([objectKey(0)]));
    await warehouse.close();
    expect(
      await query(
        path,
        'select event_id, duration_ms, shuffle, _object_key from bronze.listening_events order by 1',
      ),
    ).toEqual([
      { event_id: 'a', duration_ms: '5', shuffle: 'true', _object_key: objectKey(0) },
      { event_id: 'b', duration_ms: null, shuffle: null, _object_key: objectKey(0) },
    ]);
    expect(
      await query(path, 'select object_key, row_count::int as row_count from bronze._load_manifest'),
    ).toEqual([{ object_key: objectKey(0), row_count: 2 }]);
  });

  it('loads nothing of a batch when one of its objects cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-loader-unit-'));
    dirs.push(dir);
    const path = join(dir, 'w.duckdb');
    const warehouse = await createDuckDbWarehouse({ path });
    await warehouse.prepare();
    await expect(
      warehouse.loadBatch([fetched(0, '{"event_id":"a"}\n'), fetched(2, '{"event_id": not json\n')]),
    ).rejects.toThrow();
    expect(await warehouse.loadedKeys()).toEqual(new Set());
    await warehouse.close();
    expect(await query(path, 'select count(*)::int as n from bronze.listening_events')).toEqual([{ n: 0 }]);
  });
});
