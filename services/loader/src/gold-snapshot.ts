import { rename, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** What a snapshot holds besides every gold table: the load manifest, for "last load" on the dashboard. */
const EXTRA_TABLES = [{ schema: 'bronze', table: '_load_manifest' }];

export interface SnapshotSummary {
  tables: number;
  seconds: number;
}

/**
 * Copies every gold table (and the load manifest) of the DuckDB warehouse into a new file beside `target`,
 * then renames it over `target` in one step. Readers that have the previous snapshot open keep reading it
 * (the rename does not touch their open file) until they switch; a reader never sees a half-written one.
 * Runs after a successful build, while no one writes the warehouse (the loader's own `batch`).
 */
export async function publishGoldSnapshot(params: {
  source: string;
  target: string;
}): Promise<SnapshotSummary> {
  const started = performance.now();
  const scratch = `${params.target}.tmp-${process.pid}`;
  await Promise.all([rm(scratch, { force: true }), rm(`${scratch}.wal`, { force: true })]);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let tables = 0;
  try {
    await connection.run(`attach ${literal(params.source)} as src (read_only)`);
    await connection.run(`attach ${literal(scratch)} as snap`);
    const gold = await connection.runAndReadAll(
      "select schema_name, table_name from duckdb_tables() where database_name = 'src' and schema_name = 'gold' order by table_name",
    );
    const copies = [
      ...gold.getRows().map(([schema, table]) => ({ schema: String(schema), table: String(table) })),
      ...EXTRA_TABLES,
    ];
    for (const schema of new Set(copies.map((c) => c.schema)))
      await connection.run(`create schema snap.${ident(schema)}`);
    for (const { schema, table } of copies) {
      await connection.run(
        `create table snap.${ident(schema)}.${ident(table)} as select * from src.${ident(schema)}.${ident(table)}`,
      );
      tables++;
    }
    await connection.run('detach snap');
    await connection.run('detach src');
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    await rm(scratch, { force: true });
    throw err;
  }
  connection.closeSync();
  instance.closeSync();
  await rename(scratch, params.target);
  return { tables, seconds: (performance.now() - started) / 1000 };
}
