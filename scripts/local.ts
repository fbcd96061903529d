// The whole pipeline on one machine, on embedded defaults: a Kafka broker and an S3-compatible lake on
// loopback, the simulator, the lake writer, the loader into DuckDB and dbt, then a reconciliation of gold
// against the simulator's ground truth; then the dashboard, with gold refreshed on a short schedule while
// the simulator keeps streaming. Every stage runs as its own process with env only, as in a pod.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, freePort, repoRoot, startKafka, startS3 } from '@spotify-pipeline/harness';
import { CATALOG_TOPICS, ConfigError, groundTruthSchema, runCli, TOPICS } from '@spotify-pipeline/shared';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { catalogGroupId } from '@spotify-pipeline/shared/lake/lake-writer-env';
import { createLogger } from '@spotify-pipeline/shared/logging';
import { catalogCoverage, catalogCoverageLine } from './local/catalog-coverage.js';
import { localCli, localOptions } from './local/cli.js';
import { waitForDrain } from './local/drain.js';
import { runInPods } from './local/in-pods.js';
import { buildDashboard, dashboardPort, startRefreshLoop, waitForDashboard } from './local/live.js';
import { reconcileGold, reconciliationLines } from './local/reconcile.js';
import { openStageLog, runStage, type StageProcess, startStage } from './local/stages.js';

const log = (msg: string) => console.log(`[local ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** The components a run needs, through the installer (its step lines are the progress of a first run). */
function installComponents(kubernetes: boolean): Promise<void> {
  const components = kubernetes
    ? [
        'apt',
        'kafka',
        'versitygw',
        'helm',
        'etcd',
        'kube',
        'kube-node',
        'coredns',
        'node-tools',
        'image-tools',
        'node-base',
      ]
    : ['kafka', 'versitygw', 'dbt'];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'scripts/install-components.sh'), ...components], {
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`installing the components failed (exit ${code}): see the lines above`)),
    );
  });
}

/** --out must be a folder this run can write (made if missing). */
function prepareOut(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : (code ?? String(err));
    throw new ConfigError(`--out ${out}: not a folder this run can write to (${why})`);
  }
}

async function main(values: Record<string, string | boolean | undefined>): Promise<number> {
  const options = localOptions(values, join(repoRoot, '.local'));
  prepareOut(options.out);
  log('components the local pipeline needs ...');
  await installComponents(options.kubernetes);
  if (options.kubernetes) {
    await runInPods({
      listeners: options.listeners,
      rate: Math.max(1, Math.round(options.rate)),
      seconds: options.seconds,
      out: options.out,
      once: options.once,
      log,
    });
    return 0;
  }

  const { out } = options;
  const stageLog = openStageLog(join(out, 'logs', 'npm-start.log'));
  log(`full logs of every stage: ${stageLog.path}`);
  const duckdbPath = join(out, 'warehouse.duckdb');
  const snapshotPath = join(out, 'insights.duckdb');
  const truthPath = join(out, 'ground-truth.json');
  for (const stale of [duckdbPath, `${duckdbPath}.wal`, snapshotPath, truthPath])
    rmSync(stale, { force: true });

  log('dashboard: building it with Vite ...');
  await buildDashboard(join(out, 'web'));

  log('starting Kafka (KRaft, one node) and the S3-compatible lake (versitygw) ...');
  const [kafka, s3] = await Promise.all([startKafka(), startS3()]);
  log(`Kafka at ${kafka.bootstrap}, S3 at ${s3.endpoint}`);
  const running: StageProcess[] = [];
  let refreshing: { stop(): Promise<void> } | undefined;
  const stopAll = async () => {
    await refreshing?.stop();
    for (const stage of running.reverse()) await stage.stop();
    await Promise.all([s3.destroy(), kafka.destroy()]);
  };

  const bucket = 'spotify-lake';
  const env = {
    KAFKA_BROKERS: kafka.bootstrap,
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: bucket,
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  };
  writeFileSync(
    join(out, 'pipeline.env'),
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );

  try {
    log(
      `simulator: backfilling ${options.days} day(s) for ${options.listeners} listeners (seed ${options.seed}) ...`,
    );
    await runStage({
      name: 'simulator',
      entry: 'services/simulator/src/cli.ts',
      args: [
        '--mode',
        'backfill',
        '--listeners',
        String(options.listeners),
        '--days',
        String(options.days),
        // The backfill ends now, so that the live events continue it and the dashboard's last week has both.
        '--start',
        new Date(Date.now() - options.days * 86_400_000).toISOString(),
        '--seed',
        String(options.seed),
        '--create-topics',
        '--partitions',
        '6',
        '--summary',
        truthPath,
        '--progress-seconds',
        '5',
      ],
      env,
      log: stageLog,
      progress: simulatorProgress,
    });
    const truth = groundTruthSchema.parse(JSON.parse(readFileSync(truthPath, 'utf8')));
    log(
      `simulator: published ${truth.events.toLocaleString('en-US')} events from ${truth.listeners} listeners`,
    );

    log('lake writer: writing bronze objects (offsets committed only after each upload) ...');
    const lakeWriter = startStage({
      name: 'lake-writer',
      entry: 'services/lake-writer/src/main.ts',
      env: {
        ...env,
        OPS_PORT: String(await freePort()),
        LAKE_WRITER_BATCH_MAX_AGE_MS: '2000',
        LAKE_WRITER_CATALOG_TOPICS: CATALOG_TOPICS.join(','),
      },
      log: stageLog,
    });
    running.push(lakeWriter);
    const admin = createKafka(
      { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'local', KAFKA_SSL: false },
      createLogger({ name: 'local', level: 'fatal' }),
    ).admin();
    await admin.connect();
    try {
      await waitForDrain({
        admin,
        groupId: 'lake-writer',
        topic: TOPICS.listeningEvents,
        timeoutMs: 600_000,
        log,
      });
      for (const topic of CATALOG_TOPICS)
        await waitForDrain({
          admin,
          groupId: catalogGroupId('lake-writer', topic),
          topic,
          timeoutMs: 120_000,
          log,
        });
    } finally {
      await admin.disconnect();
    }
    log('lake writer: every published event and catalog record is in the lake');

    log('loader: loading new bronze objects into DuckDB exactly once, then dbt build (silver and gold) ...');
    const loaderEnv = {
      ...env,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: duckdbPath,
      DUCKDB_SNAPSHOT_PATH: snapshotPath,
      DBT_BIN: componentPaths().dbt,
      DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
      DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
      DBT_TARGET_PATH: join(out, 'dbt-target'),
      DBT_LOG_PATH: join(out, 'dbt-logs'),
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    };
    await runStage({
      name: 'loader',
      entry: 'services/loader/src/cli.ts',
      args: ['batch'],
      env: { ...loaderEnv, LOG_LEVEL: 'info' },
      log: stageLog,
    });

    const reconciliation = await reconcileGold(duckdbPath, truth);
    log('gold vs the simulator ground truth, events per type:');
    const lines = reconciliationLines(reconciliation, truth);
    for (const line of lines.slice(0, -1)) console.log(line);
    if (!reconciliation.matches) throw new Error(lines.at(-1));
    log(lines.at(-1)!);
    log(catalogCoverageLine(await catalogCoverage(duckdbPath)));
    log(`gold tables: ${duckdbPath} (the dashboard reads the snapshot ${snapshotPath})`);

    const port = await dashboardPort(options.port, freePort);
    const insights = startStage({
      name: 'insights',
      entry: 'services/insights/src/main.ts',
      env: {
        WAREHOUSE: 'duckdb',
        DUCKDB_PATH: snapshotPath,
        INSIGHTS_HOST: '127.0.0.1',
        INSIGHTS_PORT: String(port),
        INSIGHTS_WEB_DIR: join(out, 'web'),
        INSIGHTS_REFRESH_POLL_MS: '1000',
        KAFKA_BROKERS: kafka.bootstrap,
      },
      log: stageLog,
    });
    running.push(insights);
    const dashboard = `http://127.0.0.1:${port}/`;
    await waitForDashboard(dashboard, insights);
    log(
      `dashboard: ${dashboard}  (a listener's Wrapped: ${dashboard}wrapped/u0, the API: ${dashboard}api/openapi.json)`,
    );

    log(
      `simulator: streaming in real time at ${options.rate} events/s; gold is refreshed every ${options.refreshSeconds} s. Ctrl-C stops.`,
    );
    running.push(
      startStage({
        name: 'simulator',
        entry: 'services/simulator/src/cli.ts',
        args: [
          '--mode',
          'realtime',
          '--listeners',
          String(options.listeners),
          '--seed',
          String(options.seed),
          '--rate',
          String(options.rate),
          '--no-catalog',
        ],
        env,
        log: stageLog,
      }),
    );
    refreshing = startRefreshLoop({
      intervalMs: options.refreshSeconds * 1000,
      runBatch: () =>
        runStage({
          name: 'loader',
          entry: 'services/loader/src/cli.ts',
          args: ['batch'],
          env: loaderEnv,
          log: stageLog,
        }),
      dashboardUrl: dashboard,
      log,
    });
  } catch (err) {
    await stopAll();
    throw err;
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping (a refresh in progress finishes first) ...');
  await stopAll();
  log('stopped');
  return 0;
}

/** The simulator's progress log lines, as one short line each. */
function simulatorProgress(entry: Record<string, unknown>): void {
  if (entry.msg !== 'progress' || typeof entry.events !== 'number') return;
  const percent = typeof entry.percent === 'number' ? `, ${entry.percent}% of the days` : '';
  log(
    `simulator: ${entry.events.toLocaleString('en-US')} events (${Number(entry.eventsPerSecond).toLocaleString('en-US')}/s${percent})`,
  );
}

runCli(localCli, main);
