import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  connectSnowflake,
  type SnowflakeExecutor,
  type SnowflakeSettings,
} from '@spotify-pipeline/shared/warehouse/snowflake';
import { bronzeTableFor } from './bronze-tables.js';
import {
  snowflakeCopyStatement,
  snowflakeManifestInsert,
  snowflakePrepareStatements,
  snowflakePutStatement,
} from './snowflake-sql.js';
import type { FetchedObject, Warehouse } from './warehouse.js';

const STAGE = 'LAKE_STAGE';

/**
 * Snowflake: PUT each gzipped object to an internal stage (outside the transaction: a PUT is a file upload
 * and overwriting it is harmless), then COPY INTO the bronze table and INSERT the manifest row in one
 * explicit transaction.
 */
export function createSnowflakeWarehouse(params: {
  execute: SnowflakeExecutor;
  schema: string;
  close?: () => Promise<void>;
}): Warehouse {
  const { execute, schema } = params;
  return {
    kind: 'snowflake',
    async prepare() {
      for (const sql of snowflakePrepareStatements(schema, STAGE)) await execute(sql);
    },
    async loadedKeys() {
      const rows = await execute(`select object_key from "${schema.toUpperCase()}"."_LOAD_MANIFEST"`);
      return new Set(rows.map((r) => String(r.OBJECT_KEY)));
    },
    async loadBatch(batch: readonly FetchedObject[]) {
      const scratch = await mkdtemp(join(tmpdir(), 'sp-loader-sf-'));
      try {
        for (const [i, { object, gzipped }] of batch.entries()) {
          const dir = join(scratch, String(i));
          await mkdir(dir);
          const file = join(dir, posix.basename(object.key));
          await writeFile(file, gzipped);
          await execute(snowflakePutStatement(file, schema, STAGE, object.key));
        }
        const counts: number[] = [];
        await execute('begin');
        try {
          for (const { object } of batch) {
            const table = bronzeTableFor(object.topic);
            if (!table) throw new Error(`no bronze table for topic ${object.topic}`);
            const result = await execute(snowflakeCopyStatement(schema, STAGE, table, object));
            const loaded = result.reduce((sum, r) => sum + Number(r.rows_loaded ?? r.ROWS_LOADED ?? 0), 0);
            await execute(snowflakeManifestInsert(schema, table, object, loaded));
            counts.push(loaded);
          }
          await execute('commit');
        } catch (err) {
          await execute('rollback').catch(() => undefined);
          throw err;
        }
        return counts;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
    async close() {
      await params.close?.();
    },
  };
}

/** Connects through the shared snowflake-sdk connection code and loads through it. */
export async function connectSnowflakeWarehouse(settings: SnowflakeSettings): Promise<Warehouse> {
  const session = await connectSnowflake(settings, { application: 'spotify-pipeline-loader' });
  return createSnowflakeWarehouse({
    execute: session.execute,
    schema: settings.schema,
    close: session.close,
  });
}
