/**
 * Reading what Snowflake answers to the loader's PUT, COPY and INSERT. Each throws, naming the object, when
 * the answer is not the one a complete load gives, so a partial load is rolled back instead of recorded.
 */

type Rows = ReadonlyArray<Record<string, unknown>>;

/** Column names as the driver hands them over: PUT rows in camelCase, COPY rows lower-case. */
const field = (row: Record<string, unknown>, name: string) => row[name] ?? row[name.toUpperCase()];

/** A PUT answers one row per file, `status` UPLOADED (or SKIPPED when an identical file is there). */
export function checkPut(key: string, rows: Rows): void {
  const failed = rows.filter((r) => !['UPLOADED', 'SKIPPED'].includes(String(field(r, 'status'))));
  if (rows.length === 0 || failed.length > 0) {
    const why = failed.map((r) => field(r, 'message') ?? field(r, 'status')).join('; ');
    throw new Error(`PUT of ${key} to the stage did not upload it: ${why || 'no result row'}`);
  }
}

/** A COPY answers one row per file loaded (`status` LOADED, `rows_loaded`); none means no file was found. */
export function copiedRows(key: string, rows: Rows): number {
  const files = rows.filter((r) => field(r, 'rows_loaded') !== undefined);
  if (files.length !== 1)
    throw new Error(
      `COPY of ${key} read ${files.length} files, expected 1: ${rows.map((r) => JSON.stringify(r)).join('; ') || 'no result row'}`,
    );
  const [file] = files as [Record<string, unknown>];
  const status = String(field(file, 'status'));
  if (status !== 'LOADED')
    throw new Error(`COPY of ${key} ended ${status}: ${String(field(file, 'first_error') ?? '')}`);
  return Number(field(file, 'rows_loaded'));
}

/** An INSERT answers one row, `number of rows inserted`. */
export function insertedRows(rows: Rows): number {
  const value = rows[0]?.['number of rows inserted'];
  if (rows.length !== 1 || value === undefined)
    throw new Error(`INSERT answered ${JSON.stringify(rows)}, not a row count`);
  return Number(value);
}
