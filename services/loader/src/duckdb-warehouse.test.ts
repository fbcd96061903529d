import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { bronzeTableFor } from './bronze-tables.js';
import { createDuckDbWarehouse } from './duckdb-warehouse.js';
import type { PreparedObject } from './warehouse.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const objectKey = (first: number) =>
  `bronze/listening-events/date=2026-01-31/hour=23/listening-events+0+${first}-${first + 1}.jsonl.gz`;
const fetched = (first: number, text: string, rejected: PreparedObject['rejected'] = []): PreparedObject => ({
  object: { key: objectKey(first), topic: 'listening-events', sizeBytes: 10, format: 'jsonl.gz' },
  table: bronzeTableFor('listening-events')!,
  gzipped: gzipSync(text),
  rows: text.split('\n').filter(Boolean).length,
  lineNumbers: null,
  rejected,
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

  it('records rejected lines and their count in the same transaction, and a probe leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-loader-unit-'));
    dirs.push(dir);
    const path = join(dir, 'w.duckdb');
    const warehouse = await createDuckDbWarehouse({ path });
    await warehouse.prepare();
    expect(await warehouse.probe(fetched(0, '{"event_id":"a"}\n'))).toBeNull();
    expect(await warehouse.probe(fetched(0, '{"event_id": not json\n'))).toMatch(/Malformed JSON/);
    const rejected = [
      { line: 2, code: 'nul_character', reason: "holds a NUL 'x'", excerpt: '{"event_id":"b?"}' },
    ];
    expect(
      await warehouse.loadBatch([fetched(0, '{"event_id":"a"}\n', rejected), fetched(2, '', [])]),
    ).toEqual([1, 0]);
    await warehouse.close();
    expect(await query(path, 'select event_id from bronze.listening_events')).toEqual([{ event_id: 'a' }]);
    expect(
      await query(
        path,
        'select object_key, line_number::int as line, reason_code, reason from bronze._rejected_rows',
      ),
    ).toEqual([
      { object_key: objectKey(0), line: 2, reason_code: 'nul_character', reason: "holds a NUL 'x'" },
    ]);
    expect(
      await query(
        path,
        'select row_count::int as r, rejected_count::int as j from bronze._load_manifest order by object_key',
      ),
    ).toEqual([
      { r: 1, j: 1 },
      { r: 0, j: 0 },
    ]);
  });

  it('stamps each batch later than every batch before it, even when the clock went back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-loader-unit-'));
    dirs.push(dir);
    const path = join(dir, 'w.duckdb');
    let warehouse = await createDuckDbWarehouse({ path });
    await warehouse.prepare();
    await warehouse.close();
    // A batch loaded "an hour from now": what the manifest holds after the clock is set back an hour.
    await query(
      path,
      `insert into bronze._load_manifest values ('earlier', 'listening-events', 'listening_events', 1, 0,
         current_timestamp + interval 1 hour, 0)`,
    );
    warehouse = await createDuckDbWarehouse({ path });
    await warehouse.loadBatch([fetched(0, '{"event_id":"a"}\n')]);
    await warehouse.loadBatch([fetched(2, '{"event_id":"b"}\n')]);
    await warehouse.close();
    const stamps = await query(
      path,
      `select m.object_key, epoch_us(m.loaded_at) - epoch_us(first.loaded_at) as after_first,
         (select count(*) from bronze.listening_events b where b._loaded_at = m.loaded_at)::int as rows
       from bronze._load_manifest m, (select loaded_at from bronze._load_manifest where object_key = 'earlier') first
       order by m.loaded_at`,
    );
    expect(stamps).toEqual([
      { object_key: 'earlier', after_first: 0n, rows: 0 },
      { object_key: objectKey(0), after_first: 1n, rows: 1 },
      { object_key: objectKey(2), after_first: 2n, rows: 1 },
    ]);
  });
});
