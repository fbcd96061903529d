import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bronzeTableFor } from './bronze-tables.js';
import { snowflakeCopyStatement, snowflakePutStatement } from './snowflake-sql.js';
import { createSnowflakeWarehouse } from './snowflake-warehouse.js';

const object = {
  key: 'bronze/listening-events/date=2026-01-31/hour=23/listening-events+3+100-199.jsonl.gz',
  topic: 'listening-events',
  sizeBytes: 42,
};

describe('Snowflake statements', () => {
  it('PUTs the gzipped file as it is into a stage folder mirroring the lake key', () => {
    expect(
      snowflakePutStatement('/tmp/x/listening-events+3+100-199.jsonl.gz', 'bronze', 'LAKE_STAGE', object.key),
    ).toBe(
      'put \'file:///tmp/x/listening-events+3+100-199.jsonl.gz\' \'@"BRONZE"."LAKE_STAGE"/bronze/listening-events/date=2026-01-31/hour=23/\' auto_compress = false source_compression = gzip overwrite = true',
    );
  });

  it('COPYs one named file with every field as text and FORCE so the manifest decides', () => {
    const sql = snowflakeCopyStatement('bronze', 'LAKE_STAGE', bronzeTableFor('listening-events')!, object);
    expect(sql).toMatch(/^copy into "BRONZE"\."LISTENING_EVENTS" \("SCHEMA_VERSION", "EVENT_ID", /);
    expect(sql).toContain(
      `iff(is_array($1:"event_id") or is_object($1:"event_id"), to_json($1:"event_id"), $1:"event_id"::varchar)`,
    );
    expect(sql).toContain(`files = ('listening-events+3+100-199.jsonl.gz')`);
    expect(sql).toContain(`'${object.key}', current_timestamp()`);
    expect(sql).toMatch(/force = true$/);
  });
});

describe('createSnowflakeWarehouse', () => {
  it('PUTs before the transaction, then COPY and manifest INSERT per object, then COMMIT', async () => {
    const statements: string[] = [];
    const warehouse = createSnowflakeWarehouse({
      schema: 'bronze',
      execute: async (sql) => {
        statements.push(sql);
        return sql.startsWith('copy') ? [{ file: 'x', rows_loaded: 7 }] : [];
      },
    });
    const counts = await warehouse.loadBatch([{ object, gzipped: gzipSync('{}\n') }]);
    expect(counts).toEqual([7]);
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['put', 'begin', 'copy', 'insert', 'commit']);
    expect(statements[3]).toContain(`'${object.key}', 'listening-events', 'listening_events', 42, 7,`);
  });

  it('rolls back, leaving no manifest entry, when a COPY fails', async () => {
    const statements: string[] = [];
    const warehouse = createSnowflakeWarehouse({
      schema: 'bronze',
      execute: async (sql) => {
        statements.push(sql);
        if (sql.startsWith('copy')) throw new Error('JSON parse error');
        return [];
      },
    });
    await expect(warehouse.loadBatch([{ object, gzipped: gzipSync('{') }])).rejects.toThrow(
      'JSON parse error',
    );
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['put', 'begin', 'copy', 'rollback']);
  });
});
