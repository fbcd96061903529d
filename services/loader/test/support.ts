import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { componentPaths, type S3Instance } from '@spotify-pipeline/harness';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const cli = join(repoRoot, 'services/loader/src/cli.ts');

export function lakeEnv(s3: S3Instance, bucket: string): NodeJS.ProcessEnv {
  return {
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: bucket,
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  };
}

/** dbt settings for the loader's `batch` command, with target and log folders of this test's own. */
export function dbtEnv(): NodeJS.ProcessEnv {
  const work = mkdtempSync(join(tmpdir(), 'sp-loader-dbt-'));
  return {
    DBT_BIN: componentPaths().dbt,
    DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
    DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
    DBT_TARGET_PATH: join(work, 'target'),
    DBT_LOG_PATH: join(work, 'logs'),
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs the loader CLI as its own process, as a CronJob would. `kill.when` sees the output so far; once it
 * says yes, the process gets SIGKILL after `delayMs` (to crash it mid-load).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  kill?: { when: (output: string) => boolean; delayMs: number },
): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (!killed && kill?.when(output)) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, output }));
  });
}

/** Reads a DuckDB file with a short-lived connection (DuckDB allows one writing process per file). */
export async function queryDuckDb(path: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(path);
  try {
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}
