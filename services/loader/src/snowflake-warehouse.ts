import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describeError, type Logger } from '@spotify-pipeline/shared';
import {
  connectSnowflake,
  type SnowflakeExecutor,
  type SnowflakeSettings,
} from '@spotify-pipeline/shared/warehouse/snowflake';
import { checkPut, copiedRows, insertedRows } from './snowflake-results.js';
import {
  snowflakeLoadStatements,
  snowflakeManifestInsert,
  snowflakePrepareStatements,
  snowflakePutStatement,
  snowflakeRejectedInsert,
} from './snowflake-sql.js';
import type { PreparedObject, Warehouse } from './warehouse.js';

const STAGE = 'LAKE_STAGE';

/**
 * Snowflake: PUT each gzipped object into a stage folder of its own (outside the transaction: a PUT is a file
 * upload and overwriting it is harmless), then, in one explicit transaction, COPY each object into the
 * session's landing table, INSERT its fields into the bronze table, and INSERT its rejected lines and manifest
 * row. Every result is checked: a PUT that did not upload, a COPY that loaded no file or another count than
 * the INSERT wrote, fails the batch (rolled back) instead of recording a wrong row count.
 */
export function createSnowflakeWarehouse(params: {
  execute: SnowflakeExecutor;
  schema: string;
  close?: () => Promise<void>;
}): Warehouse {
  const { execute, schema } = params;

  /** PUT every object (outside the transaction), then landing, bronze, rejected rows and manifest rows in one. */
  const load = async (batch: readonly PreparedObject[], end: 'commit' | 'rollback') => {
    const scratch = await mkdtemp(join(tmpdir(), 'sp-loader-sf-'));
    try {
      for (const [i, { object, gzipped, rows }] of batch.entries()) {
        if (rows === 0) continue;
        const dir = join(scratch, String(i));
        await mkdir(dir);
        // What is staged is always gzip JSON Lines (a Parquet object's rows too): named so, since COPY
        // detects the compression from the file name.
        const file = join(dir, posix.basename(object.key).replace(/\.parquet$/, '.jsonl.gz'));
        await writeFile(file, gzipped);
        checkPut(object.key, await execute(snowflakePutStatement(file, schema, STAGE, object.key)));
      }
      const counts: number[] = [];
      await execute('begin');
      try {
        for (const prepared of batch) {
          const { object, table } = prepared;
          let loaded = 0;
          if (prepared.rows > 0) {
            const statements = snowflakeLoadStatements(schema, STAGE, table, object);
            await execute(statements.clear);
            const copied = copiedRows(object.key, await execute(statements.copy));
            loaded = insertedRows(await execute(statements.insert));
            if (loaded !== copied)
              throw new Error(`${object.key}: COPY loaded ${copied} rows but ${loaded} reached bronze`);
          }
          if (end === 'commit') {
            const rejected = snowflakeRejectedInsert(schema, prepared);
            if (rejected) await execute(rejected);
            await execute(snowflakeManifestInsert(schema, table, object, loaded, prepared.rejected.length));
          }
          counts.push(loaded);
        }
        await execute(end);
      } catch (err) {
        await execute('rollback').catch(() => undefined);
        throw err;
      }
      return counts;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };

  return {
    kind: 'snowflake',
    async prepare() {
      for (const sql of snowflakePrepareStatements(schema, STAGE)) await execute(sql);
    },
    async loadedKeys() {
      const rows = await execute(`select object_key from "${schema.toUpperCase()}"."_LOAD_MANIFEST"`);
      return new Set(rows.map((r) => String(r.OBJECT_KEY)));
    },
    async loadBatch(batch: readonly PreparedObject[]) {
      return await load(batch, 'commit');
    },
    async probe(object: PreparedObject) {
      try {
        await load([object], 'rollback');
        return null;
      } catch (err) {
        return describeError(err, 300);
      }
    },
    async close() {
      await params.close?.();
    },
  };
}

/** Connects through the shared snowflake-sdk connection code and loads through it. */
export async function connectSnowflakeWarehouse(
  settings: SnowflakeSettings,
  logger?: Logger,
): Promise<Warehouse> {
  const session = await connectSnowflake(settings, {
    application: 'spotify-pipeline-loader',
    ...(logger ? { logger } : {}),
  });
  return createSnowflakeWarehouse({
    execute: session.execute,
    schema: settings.schema,
    close: session.close,
  });
}
