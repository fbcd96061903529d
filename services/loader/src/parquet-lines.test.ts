import { gunzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { bronzeTableFor } from './bronze-tables.js';
import { checkParquetObject } from './parquet-lines.js';

const table = bronzeTableFor('listening-events')!;

describe('checkParquetObject', () => {
  it('turns rows into the JSON lines the JSON Lines lake holds: timestamps as contract text, int64 as numbers', async () => {
    const file = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'event_id', type: 'STRING', data: ['a', 'b'] },
          {
            name: 'event_ts',
            type: 'TIMESTAMP',
            data: [new Date('2026-01-31T23:59:59.123Z'), new Date('2026-02-01T00:00:00.000Z')],
          },
          { name: 'ms_played', type: 'INT64', data: [1234n, null], nullable: true },
          { name: 'shuffle', type: 'BOOLEAN', data: [true, false] },
        ],
      }),
    );
    const checked = await checkParquetObject(file, table);
    expect(checked.rejected).toEqual([]);
    expect(gunzipSync(checked.gzipped).toString().trim().split('\n')).toEqual([
      '{"event_id":"a","event_ts":"2026-01-31T23:59:59.123Z","ms_played":1234,"shuffle":true}',
      '{"event_id":"b","event_ts":"2026-02-01T00:00:00.000Z","ms_played":null,"shuffle":false}',
    ]);
    expect(checked.rows).toBe(2);
  });

  it('quarantines a file that is not Parquet as one unreadable object, loading nothing', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('PAR1 not really'), Buffer.from('{"a":1}\n')]) {
      const checked = await checkParquetObject(bytes, table);
      expect(checked.rows).toBe(0);
      expect(checked.rejected).toMatchObject([{ line: 0, code: 'unreadable_object' }]);
      expect(checked.rejected[0]!.reason).toMatch(/^not Parquet: /);
    }
  });

  it('quarantines a row a warehouse would refuse, by its row number', async () => {
    const file = Buffer.from(
      parquetWriteBuffer({
        columnData: [{ name: 'event_id', type: 'STRING', data: ['ok', 'nul\u0000inside'] }],
      }),
    );
    const checked = await checkParquetObject(file, table);
    expect(checked.rows).toBe(1);
    expect(checked.rejected.map((r) => r.line)).toEqual([2]);
  });
});
