import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  componentPaths,
  type S3Instance,
  startFakesnow,
  type WarehouseUnderTest,
} from '@spotify-pipeline/harness';

export {
  duckDbUnderTest,
  postgresUnderTest,
  queryDuckDb,
  type WarehouseUnderTest,
} from '@spotify-pipeline/harness';

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

/** A snowflake-query.ts process: statements in turn, rows with lower-case column names (as the others answer). */
function snowflakeReader(env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, 'services/loader/test/snowflake-query.ts')],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  const query = (sql: string) => {
    const answer = queue.then(async () => {
      child.stdin.write(`${JSON.stringify(sql)}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`the Snowflake reader exited before answering: ${sql}`);
      const reply = JSON.parse(next.value) as { rows?: Array<Record<string, unknown>>; error?: string };
      if (!reply.rows) throw new Error(`${reply.error}\n${sql}`);
      return reply.rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
      );
    });
    queue = answer.then(
      () => undefined,
      () => undefined,
    );
    return answer;
  };
  return { query, close: () => child.stdin.end() };
}

/**
 * fakesnow (Snowflake's protocol on DuckDB, through the test adapter harness/fakesnow/serve.py): the loader
 * talks to it with snowflake-sdk, dbt with dbt-snowflake from the fakesnow venv, and the test reads it with
 * snowflake-sdk too.
 */
export async function snowflakeUnderTest(): Promise<WarehouseUnderTest> {
  const server = await startFakesnow();
  const env = {
    LAKE_ENDPOINT: 'http://127.0.0.1:9',
    LAKE_BUCKET: 'unused',
    LAKE_ACCESS_KEY: 'unused',
    LAKE_SECRET_KEY: 'unused',
    WAREHOUSE: 'snowflake',
    ...server.env,
  };
  const reader = snowflakeReader(env);
  await reader.query(`create database if not exists ${server.env.SNOWFLAKE_DATABASE}`);
  return {
    target: 'snowflake',
    env: { ...server.env, DBT_BIN: server.dbt },
    query: reader.query,
    epochMs: (column) => `date_part(epoch_millisecond, ${column})`,
    stop: async () => {
      reader.close();
      await server.destroy();
    },
  };
}
