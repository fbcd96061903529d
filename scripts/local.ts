// The whole pipeline on one machine, on embedded defaults: a Kafka broker and an S3-compatible lake on
// loopback, the simulator, the lake writer, the loader into DuckDB and dbt, then a reconciliation of gold
// against the simulator's ground truth; then the dashboard, with gold refreshed on a short schedule while
// the simulator keeps streaming. Every stage runs as its own process with env only, as in a pod.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { componentPaths, freePort, repoRoot, startKafka, startS3 } from '@spotify-pipeline/harness';
import { groundTruthSchema, TOPICS } from '@spotify-pipeline/shared';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { createLogger } from '@spotify-pipeline/shared/logging';
import { waitForDrain } from './local/drain.js';
import { runInPods } from './local/in-pods.js';
import { buildDashboard, dashboardPort, startRefreshLoop, waitForDashboard } from './local/live.js';
import { reconcileGold, reconciliationLines } from './local/reconcile.js';
import { runStage, type StageProcess, startStage } from './local/stages.js';

const HELP = `Usage: npm start [-- options]

Runs the pipeline locally: Kafka and an S3-compatible lake on loopback, the simulator's backfill of the
days up to now, the lake writer, the loader into DuckDB and dbt (silver and gold), then checks gold against
the simulator's ground truth and serves the dashboard. Afterwards the simulator keeps streaming in real time,
the lake writer keeps writing and gold is refreshed every --refresh-seconds, until Ctrl-C.

  --listeners N        simulated listeners (default 2000)
  --days N             days of listening to backfill, ending now (default 2)
  --seed N             simulator seed (default 1)
  --rate N             real-time events per second after the backfill (default 50)
  --refresh-seconds N  pause between two refreshes of gold (load, dbt build, snapshot) (default 30)
  --port N             dashboard port (default 8080; a free one when 8080 is taken)
  --out DIR            where outputs go (default .local)
  --kubernetes         the same pipeline in pods on a single-node cluster started here (below)
  --seconds N          --kubernetes: seconds the simulator streams before the check (default 60)
  --once               --kubernetes: remove the cluster after the check instead of keeping it
  --help               this text

Outputs in --out (default .local/, git-ignored): warehouse.duckdb (the warehouse), insights.duckdb (the
read-only gold snapshot the dashboard reads), web/ (the built dashboard), ground-truth.json, pipeline.env
(endpoints and this run's generated credentials).

--kubernetes starts a single-node cluster (kubelet on containerd), builds the images into its registry,
installs the chart and applies a SpotifyPipeline; the operator runs the simulator (real time at --rate for
--listeners), the lake writers and the scheduled load and transform jobs into PostgreSQL. Kafka, the S3 server
and PostgreSQL run on the host. After --seconds the simulator is scaled to 0, gold is reconciled with its
ground truth, and kubectl get spl,pods,jobs is printed. The cluster keeps running until Ctrl-C (or --once);
--out gets its kubeconfig. Needs root (namespaces, cgroups). --days, --seed, --refresh-seconds and --port are
for the process run only.
`;

const log = (msg: string) => console.log(`[local ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listeners: { type: 'string', default: '2000' },
      days: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      rate: { type: 'string', default: '50' },
      'refresh-seconds': { type: 'string', default: '30' },
      port: { type: 'string', default: '8080' },
      out: { type: 'string', default: join(repoRoot, '.local') },
      once: { type: 'boolean' },
      kubernetes: { type: 'boolean' },
      seconds: { type: 'string', default: '60' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  for (const name of ['listeners', 'days', 'seed', 'rate', 'refresh-seconds', 'port', 'seconds'] as const) {
    if (!/^\d+(\.\d+)?$/.test(values[name]))
      throw new Error(`--${name} must be a number, got '${values[name]}'`);
  }
  if (values.kubernetes) {
    await runInPods({
      listeners: Math.max(1, Math.round(Number(values.listeners))),
      rate: Math.max(1, Math.round(Number(values.rate))),
      seconds: Number(values.seconds),
      out: values.out,
      once: values.once ?? false,
      log,
    });
    return;
  }

  const out = values.out;
  mkdirSync(out, { recursive: true });
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
      `simulator: backfilling ${values.days} day(s) for ${values.listeners} listeners (seed ${values.seed}) ...`,
    );
    await runStage({
      name: 'simulator',
      entry: 'services/simulator/src/cli.ts',
      args: [
        '--mode',
        'backfill',
        '--listeners',
        values.listeners,
        '--days',
        values.days,
        // The backfill ends now, so that the live events continue it and the dashboard's last week has both.
        '--start',
        new Date(Date.now() - Number(values.days) * 86_400_000).toISOString(),
        '--seed',
        values.seed,
        '--create-topics',
        '--partitions',
        '6',
        '--summary',
        truthPath,
        '--progress-seconds',
        '5',
      ],
      env,
    });
    const truth = groundTruthSchema.parse(JSON.parse(readFileSync(truthPath, 'utf8')));
    log(
      `simulator: published ${truth.events.toLocaleString('en-US')} events from ${truth.listeners} listeners`,
    );

    log('lake writer: writing bronze objects (offsets committed only after each upload) ...');
    const lakeWriter = startStage({
      name: 'lake-writer',
      entry: 'services/lake-writer/src/main.ts',
      env: { ...env, OPS_PORT: String(await freePort()), LAKE_WRITER_BATCH_MAX_AGE_MS: '2000' },
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
    } finally {
      await admin.disconnect();
    }
    log('lake writer: every published event is in the lake');

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
    });

    const reconciliation = await reconcileGold(duckdbPath, truth);
    log('gold vs the simulator ground truth, events per type:');
    const lines = reconciliationLines(reconciliation, truth);
    for (const line of lines.slice(0, -1)) console.log(line);
    if (!reconciliation.matches) throw new Error(lines.at(-1));
    log(lines.at(-1)!);
    log(`gold tables: ${duckdbPath} (the dashboard reads the snapshot ${snapshotPath})`);

    const port = await dashboardPort(Number(values.port), freePort);
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
    });
    running.push(insights);
    const dashboard = `http://127.0.0.1:${port}/`;
    await waitForDashboard(dashboard, insights);
    log(
      `dashboard: ${dashboard}  (a listener's Wrapped: ${dashboard}wrapped/u0, the API: ${dashboard}api/openapi.json)`,
    );

    log(
      `simulator: streaming in real time at ${values.rate} events/s; gold is refreshed every ${values['refresh-seconds']} s. Ctrl-C stops.`,
    );
    running.push(
      startStage({
        name: 'simulator',
        entry: 'services/simulator/src/cli.ts',
        args: [
          '--mode',
          'realtime',
          '--listeners',
          values.listeners,
          '--seed',
          values.seed,
          '--rate',
          values.rate,
          '--no-catalog',
        ],
        env,
      }),
    );
    refreshing = startRefreshLoop({
      intervalMs: Number(values['refresh-seconds']) * 1000,
      runBatch: () =>
        runStage({ name: 'loader', entry: 'services/loader/src/cli.ts', args: ['batch'], env: loaderEnv }),
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
}

main().catch((err: unknown) => {
  console.error(`[local] failed: ${(err as Error).message}`);
  process.exit(1);
});
