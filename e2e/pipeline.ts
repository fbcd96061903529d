// The real stages as their own processes (env only, as in a pod) for the end-to-end tests of issue 10: a lake
// writer that can be SIGKILLed, the loader CLI into DuckDB or PostgreSQL with dbt, and readers for the results.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  componentPaths,
  freePort,
  type KafkaInstance,
  type ManagedProcess,
  type PostgresInstance,
  repoRoot,
  type S3Instance,
  startProcess,
  type testKafka,
  waitUntil,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import pg from 'pg';

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

/** Records the group has not committed yet, summed over the topic's partitions. */
export async function groupLag(client: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, end) => sum + Number(end.high) - Math.max(0, done.get(end.partition) ?? 0), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function waitForLag0(client: KafkaClient, groupId: string, topic: string, timeoutMs: number) {
  await waitUntil(
    `group ${groupId} to commit all of ${topic}`,
    async () => (await groupLag(client, groupId, topic).catch(() => -1)) === 0,
    { timeoutMs },
  );
}

export async function createTopics(client: KafkaClient, topic: string, partitions: number): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: partitions, replicationFactor: 1 },
      { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

/** A warehouse the loader and dbt write, and a way to query it. */
export interface Warehouse {
  target: 'duckdb' | 'postgres';
  env: NodeJS.ProcessEnv;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  epochMs(column: string): string;
  close(): Promise<void>;
}

export function duckDbWarehouse(path: string): Warehouse {
  return {
    target: 'duckdb',
    env: { DUCKDB_PATH: path },
    async query(sql) {
      const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
      try {
        const connection = await instance.connect();
        const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<
          Record<string, unknown>
        >;
        connection.closeSync();
        return rows;
      } finally {
        instance.closeSync();
      }
    },
    epochMs: (column) => `epoch_ms(${column})`,
    close: async () => undefined,
  };
}

export async function postgresWarehouse(server: PostgresInstance): Promise<Warehouse> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  return {
    target: 'postgres',
    env: {
      POSTGRES_HOST: server.host,
      POSTGRES_PORT: String(server.port),
      POSTGRES_USER: server.user,
      POSTGRES_PASSWORD: server.password,
      POSTGRES_DB: server.database,
    },
    query: async (sql) => (await client.query(sql)).rows,
    epochMs: (column) => `cast(extract(epoch from ${column}) * 1000 as bigint)`,
    close: () => client.end(),
  };
}

/** `spotify-loader batch` (load, then dbt build with `dbtArgs`) into one warehouse; resolves with its exit code. */
export async function runBatch(
  workdir: string,
  name: string,
  env: NodeJS.ProcessEnv,
  warehouse: Warehouse,
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
