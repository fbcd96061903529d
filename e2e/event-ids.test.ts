import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  componentPaths,
  freePort,
  type KafkaInstance,
  type ManagedProcess,
  makeWorkdir,
  queryDuckDb,
  readTopic,
  repoRoot,
  type S3Instance,
  startKafka,
  startProcess,
  startS3,
  testKafka,
  waitUntil,
} from '@spotify-pipeline/harness';
import { createLogger, groundTruthSchema, TOPICS } from '@spotify-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Two simulator replicas with the same seed and a restart of one of them, all in real time, as the operator
// runs them (same arguments, default run ids): every event they generated must reach gold, none dropped as
// a "duplicate" of another run's event.
describe('simulator replicas and a restart, through the lake into gold', () => {
  const work = makeWorkdir('event-ids');
  const logger = createLogger({ name: 'event-ids-test', level: 'silent' });
  let kafka: KafkaInstance;
  let s3: S3Instance;
  let env: NodeJS.ProcessEnv;
  const started: ManagedProcess[] = [];

  beforeAll(async () => {
    [kafka, s3] = await Promise.all([startKafka(), startS3()]);
    env = {
      ...process.env,
      KAFKA_BROKERS: kafka.bootstrap,
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'spotify-lake',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
      LOG_LEVEL: 'info',
    };
  }, 240_000);

  afterAll(async () => {
    for (const p of started) await p.stop();
    await Promise.all([kafka?.destroy(), s3?.destroy()]);
    work.remove();
  });

  const start = (name: string, entry: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const p = startProcess({
      name,
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', join(repoRoot, entry), ...args],
      logFile: join(work.path, `${name}.log`),
      env: { ...env, ...extraEnv },
      cwd: repoRoot,
    });
    started.push(p);
    return p;
  };
  const exitCode = (p: ManagedProcess) =>
    new Promise<number | null>((resolve) => {
      if (p.exited()) resolve(p.child.exitCode);
      else p.child.once('exit', (code) => resolve(code));
    });
  const logged = (p: ManagedProcess, msg: string) =>
    waitUntil(`${p.name} to log '${msg}'`, async () => p.tail(10_000).includes(`"msg":"${msg}"`), {
      timeoutMs: 120_000,
      logHint: () => p.tail(),
    });
  const simulator = (name: string, seconds: number, extra: string[] = []) =>
    start(name, 'services/simulator/src/cli.ts', [
      ...['--mode', 'realtime', '--rate', '1500', '--seconds', String(seconds), '--listeners', '300'],
      ...['--artists', '200', '--summary', join(work.path, `${name}.json`), '--progress-seconds', '1'],
      ...extra,
    ]);

  it('finds every event of two replicas and a restarted replica in gold, and counts no duplicate', async () => {
    // Replica a creates the topics; replica b starts once they exist. Replica a is stopped (SIGTERM) after
    // its first progress line and started again: a restart.
    const a1 = simulator('replica-a-1', 600, ['--create-topics', '--partitions', '3']);
    await logged(a1, 'simulation started');
    const b = simulator('replica-b', 8, ['--no-catalog']);
    await logged(a1, 'progress');
    await a1.stop();
    expect(await exitCode(a1)).toBe(0);
    const a2 = simulator('replica-a-2', 6, ['--no-catalog']);
    expect(await exitCode(b), b.tail()).toBe(0);
    expect(await exitCode(a2), a2.tail()).toBe(0);

    const truths = ['replica-a-1', 'replica-b', 'replica-a-2'].map((name) =>
      groundTruthSchema.parse(JSON.parse(readFileSync(join(work.path, `${name}.json`), 'utf8'))),
    );
    expect(new Set(truths.map((t) => t.settings.run_id)).size).toBe(3);
    expect(truths.every((t) => t.events > 0)).toBe(true);
    const generated = truths.reduce((n, t) => n + t.events, 0);
    const client = testKafka(kafka.bootstrap, logger);
    const records = await readTopic(client, TOPICS.listeningEvents);
    const published = records.map((r) => JSON.parse(r.value.toString()).event_id as string);
    expect(published).toHaveLength(generated);

    const writer = start('lake-writer', 'services/lake-writer/src/main.ts', [], {
      OPS_PORT: String(await freePort()),
      LAKE_WRITER_BATCH_MAX_AGE_MS: '1000',
    });
    const admin = client.admin();
    await admin.connect();
    await waitUntil(
      'the lake writer to commit every event',
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: 'lake-writer',
          topics: [TOPICS.listeningEvents],
        });
        const done = committed?.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) ?? 0;
        return done === generated;
      },
      { timeoutMs: 180_000, logHint: () => writer.tail() },
    );
    await admin.disconnect();
    await writer.stop();

    const duckdbPath = join(work.path, 'warehouse.duckdb');
    const loader = start('loader', 'services/loader/src/cli.ts', ['batch'], {
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: duckdbPath,
      DBT_BIN: componentPaths().dbt,
      DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
      DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
      DBT_TARGET_PATH: join(work.path, 'dbt-target'),
      DBT_LOG_PATH: join(work.path, 'dbt-logs'),
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    });
    expect(await exitCode(loader), loader.tail(60)).toBe(0);

    const query = (sql: string) => queryDuckDb(duckdbPath, sql, { readOnly: true });
    const gold = (await query('select event_id from gold.fct_listening_events')).map((r) =>
      String(r.event_id),
    );
    expect(gold).toHaveLength(generated);
    expect(new Set(gold)).toEqual(new Set(published));
    const [dropped] = await query(
      'select coalesce(sum(duplicate_rows), 0)::double as n from gold.duplicate_event_counts',
    );
    expect(dropped!.n).toBe(0);
  }, 900_000);
});
