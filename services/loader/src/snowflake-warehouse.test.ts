import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bronzeTableFor } from './bronze-tables.js';
import { snowflakeLoadStatements, snowflakePutStatement } from './snowflake-sql.js';
import { createSnowflakeWarehouse } from './snowflake-warehouse.js';
import type { PreparedObject } from './warehouse.js';

const object = {
  key: 'bronze/listening-events/date=2026-01-31/hour=23/listening-events+3+100-199.jsonl.gz',
  topic: 'listening-events',
  sizeBytes: 42,
  format: 'jsonl.gz' as const,
};

describe('Snowflake statements', () => {
  it('PUTs the gzipped file as it is into a stage folder of its own, without partition syntax', () => {
    expect(
      snowflakePutStatement('/tmp/x/listening-events+3+100-199.jsonl.gz', 'bronze', 'LAKE_STAGE', object.key),
    ).toBe(
      'put \'file:///tmp/x/listening-events+3+100-199.jsonl.gz\' \'@"BRONZE"."LAKE_STAGE"/listening-events/2026-01-31/23/listening-events+3+100-199.jsonl.gz/\' auto_compress = false source_compression = gzip overwrite = true',
    );
  });

  it('COPYs the object into the landing table with FORCE, then INSERTs every field as text', () => {
    const { clear, copy, insert } = snowflakeLoadStatements(
      'bronze',
      'LAKE_STAGE',
      bronzeTableFor('listening-events')!,
      object,
    );
    expect(clear).toBe('delete from "_LANDING"');
    expect(copy).toBe(
      'copy into "_LANDING" from @"BRONZE"."LAKE_STAGE"/listening-events/2026-01-31/23/listening-events+3+100-199.jsonl.gz/ file_format = (type = json) force = true',
    );
    expect(insert).toMatch(/^insert into "BRONZE"\."LISTENING_EVENTS" \("SCHEMA_VERSION", "EVENT_ID", /);
    expect(insert).toContain('v:"event_id"::varchar');
    expect(insert).toContain(`'${object.key}', current_timestamp() from "_LANDING"`);
  });

  it('keeps a list field as its JSON text', () => {
    const artists = { ...object, key: object.key.replaceAll('listening-events', 'catalog.artists') };
    const { insert } = snowflakeLoadStatements('bronze', 'S', bronzeTableFor('catalog.artists')!, artists);
    expect(insert).toContain('to_json(v:"genres")');
    expect(insert).toContain('v:"name"::varchar');
  });
});

const prepared = (gzipped: Buffer, rejected: PreparedObject['rejected'] = []): PreparedObject => ({
  object,
  table: bronzeTableFor('listening-events')!,
  gzipped,
  rows: 1,
  lineNumbers: null,
  rejected,
});

/** What Snowflake (and fakesnow) answer, as the Node driver hands it over. */
type Row = Record<string, unknown>;
function answers(overrides: { put?: Row[]; copy?: Row[]; inserted?: number } = {}) {
  const statements: string[] = [];
  const execute = async (sql: string): Promise<Row[]> => {
    statements.push(sql);
    const verb = sql.split(' ')[0];
    if (verb === 'put') return overrides.put ?? [{ source: 'f', status: 'UPLOADED' }];
    if (verb === 'copy') return overrides.copy ?? [{ file: 'f', status: 'LOADED', rows_loaded: 7 }];
    if (verb === 'insert' && sql.includes('"LISTENING_EVENTS"'))
      return [{ 'number of rows inserted': overrides.inserted ?? 7 }];
    if (verb === 'insert') return [{ 'number of rows inserted': 1 }];
    return [];
  };
  return { statements, verbs: () => statements.map((s) => s.split(' ')[0]), execute };
}

describe('createSnowflakeWarehouse', () => {
  it('PUTs before the transaction, then landing, bronze and manifest per object, then COMMIT', async () => {
    const db = answers();
    const warehouse = createSnowflakeWarehouse({ schema: 'bronze', execute: db.execute });
    expect(await warehouse.loadBatch([prepared(gzipSync('{}\n'))])).toEqual([7]);
    expect(db.verbs()).toEqual(['put', 'begin', 'delete', 'copy', 'insert', 'insert', 'commit']);
    expect(db.statements[5]).toContain(`'${object.key}', 'listening-events', 'listening_events', 42, 7,`);
  });

  it("stages a Parquet object's rows as the gzip JSON Lines they are, named so", async () => {
    const db = answers();
    const warehouse = createSnowflakeWarehouse({ schema: 'bronze', execute: db.execute });
    const parquet = {
      ...object,
      key: object.key.replace('.jsonl.gz', '.parquet'),
      format: 'parquet' as const,
    };
    await warehouse.loadBatch([{ ...prepared(gzipSync('{}\n')), object: parquet }]);
    expect(db.statements[0]).toMatch(/^put 'file:\/\/\/.*\/listening-events\+3\+100-199\.jsonl\.gz' /);
  });

  it('rolls back, leaving no manifest entry, when a COPY fails', async () => {
    const db = answers();
    const warehouse = createSnowflakeWarehouse({
      schema: 'bronze',
      execute: async (sql) => {
        if (sql.startsWith('copy')) {
          db.statements.push(sql);
          throw new Error('JSON parse error');
        }
        return db.execute(sql);
      },
    });
    await expect(warehouse.loadBatch([prepared(gzipSync('{'))])).rejects.toThrow('JSON parse error');
    expect(db.verbs()).toEqual(['put', 'begin', 'delete', 'copy', 'rollback']);
  });

  it('fails before the transaction when the PUT did not upload', async () => {
    const db = answers({ put: [{ source: 'f', status: 'ERROR', message: 'Unknown Error in uploading' }] });
    const warehouse = createSnowflakeWarehouse({ schema: 'bronze', execute: db.execute });
    await expect(warehouse.loadBatch([prepared(gzipSync('{}\n'))])).rejects.toThrow(
      /PUT of .* did not upload it: Unknown Error in uploading/,
    );
    expect(db.verbs()).toEqual(['put']);
  });

  it('rolls back when the COPY found no file, or the INSERT wrote another count than it loaded', async () => {
    const none = answers({ copy: [{ status: 'Copy executed with 0 files processed.' }] });
    await expect(
      createSnowflakeWarehouse({ schema: 'bronze', execute: none.execute }).loadBatch([
        prepared(gzipSync('{}\n')),
      ]),
    ).rejects.toThrow(/read 0 files, expected 1/);
    expect(none.verbs().at(-1)).toBe('rollback');

    const short = answers({ inserted: 6 });
    await expect(
      createSnowflakeWarehouse({ schema: 'bronze', execute: short.execute }).loadBatch([
        prepared(gzipSync('{}\n')),
      ]),
    ).rejects.toThrow(/COPY loaded 7 rows but 6 reached bronze/);
    expect(short.verbs()).not.toContain('commit');
  });

  it('inserts the rejected lines with the manifest row, and a probe always rolls back', async () => {
    const db = answers({ copy: [{ status: 'LOADED', rows_loaded: 1 }], inserted: 1 });
    const warehouse = createSnowflakeWarehouse({ schema: 'bronze', execute: db.execute });
    const rejected = [
      { line: 2, code: 'duplicate_key', reason: 'key "a" isn\'t unique', excerpt: '{"a":1,"a":2}' },
    ];
    await warehouse.loadBatch([prepared(gzipSync('{}\n'), rejected)]);
    expect(db.verbs()).toEqual(['put', 'begin', 'delete', 'copy', 'insert', 'insert', 'insert', 'commit']);
    expect(db.statements[5]).toContain(
      `values ('${object.key}', 2, 'listening_events', 'duplicate_key', 'key "a" isn\\'t unique',`,
    );
    expect(db.statements[6]).toMatch(/, 1, current_timestamp\(\), 1\)$/);
    db.statements.length = 0;
    expect(await warehouse.probe(prepared(gzipSync('{}\n')))).toBeNull();
    expect(db.verbs()).toEqual(['put', 'begin', 'delete', 'copy', 'insert', 'rollback']);
  });
});
