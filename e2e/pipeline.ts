// The real stages as their own processes (env only, as in a pod) for the end-to-end tests of issue 10: a lake
// writer that can be SIGKILLed, the loader CLI into DuckDB or PostgreSQL with dbt, and readers for the results.
import { join } from 'node:path';
import {
  componentPaths,
  freePort,
  groupLag,
  type KafkaInstance,
  type ManagedProcess,
  repoRoot,
  type S3Instance,
  startProcess,
  type testKafka,
  type WarehouseUnderTest,
  waitUntil,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';

export const quiet = createLogger({ name: 'e2e', level: 'silent' });
export type KafkaClient = ReturnType<typeof testKafka>;

export function lakeEnv(kafka: KafkaInstance, s3: S3Instance, bucket: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: kafka.bootstrap,
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: bucket,
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
    LOG_LEVEL: 'info',
  };
}

export function startStage(
  workdir: string,
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): ManagedProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: ['--conditions=source', '--import', 'tsx', join(repoRoot, entry), ...args],
    logFile: join(workdir, `${name}.log`),
    env,
    cwd: repoRoot,
  });
}

function exitCode(p: ManagedProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.exited()) resolve(p.child.exitCode);
    else p.child.once('exit', (code) => resolve(code));
  });
}

export interface LakeWriterStage {
  process: ManagedProcess;
  opsPort: number;
}

export async function startLakeWriter(
  workdir: string,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<LakeWriterStage> {
  const opsPort = await freePort();
  const process = startStage(workdir, name, 'services/lake-writer/src/main.ts', {
    ...env,
    OPS_PORT: String(opsPort),
  });
  return { process, opsPort };
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** Sum of a metric's samples on a process's /metrics. */
export async function metric(port: number, name: string): Promise<number> {
  const { body } = await httpGet(port, '/metrics');
  let sum = 0;
  for (const line of body.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

export async function waitForLag0(client: KafkaClient, groupId: string, topic: string, timeoutMs: number) {
  await waitUntil(
    `group ${groupId} to commit all of ${topic}`,
    async () => (await groupLag(client, groupId, topic).catch(() => -1)) === 0,
    { timeoutMs },
  );
}

/** `spotify-loader batch` (load, then dbt build with `dbtArgs`) into one warehouse; resolves with its exit code. */
export async function runBatch(
  workdir: string,
  name: string,
  env: NodeJS.ProcessEnv,
  warehouse: WarehouseUnderTest,
  dbtArgs: string[] = [],
): Promise<{ code: number | null; tail: string }> {
  const loader = startStage(
    workdir,
    name,
    'services/loader/src/cli.ts',
    {
      ...env,
      ...warehouse.env,
      WAREHOUSE: warehouse.target,
      DBT_BIN: componentPaths().dbt,
      DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
      DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
      DBT_TARGET_PATH: join(workdir, `${name}-dbt-target`),
      DBT_LOG_PATH: join(workdir, `${name}-dbt-logs`),
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    },
    dbtArgs.length ? ['batch', '--', ...dbtArgs] : ['batch'],
  );
  const code = await exitCode(loader);
  return { code, tail: loader.tail(80) };
}

/** The models and tests about events reaching gold, rejected or in conflict: a full build takes minutes. */
export const DBT_EVENTS_ONLY = [
  '--select',
  '+fct_listening_events',
  '+daily_event_conflicts',
  '+rejected_event_counts',
  'assert_manifest_matches_bronze_rows',
  '--indirect-selection',
  'cautious',
];
