import { describeError } from '@spotify-pipeline/shared';
import { parquetReadObjects } from 'hyparquet';
import { type CheckedObject, checkBronzeObject, gzipLines } from './bronze-lines.js';
import type { BronzeTable } from './bronze-tables.js';

/** A Parquet value as the JSON the JSON Lines lake holds for it (timestamps as contract ISO text). */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * A bronze Parquet object as the JSON lines of its rows, checked like any JSON Lines object: from there on,
 * every warehouse loads it through its own bulk path with the same manifest, and a row a warehouse would
 * refuse is quarantined with its row number. A file that is not readable Parquet is one rejected "line" 0.
 */
export async function checkParquetObject(bytes: Buffer, table: BronzeTable): Promise<CheckedObject> {
  let rows: Array<Record<string, unknown>>;
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
  } catch (err) {
    return {
      gzipped: await gzipLines([]),
      rows: 0,
      lineNumbers: [],
      rejected: [
        {
          line: 0,
          code: 'unreadable_object',
          reason: `not Parquet: ${describeError(err, 200)}`,
          excerpt: '',
        },
      ],
    };
  }
  const lines = rows.map((row) =>
    JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]))),
  );
  return checkBronzeObject(await gzipLines(lines), table);
}
