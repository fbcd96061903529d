// Fills a warehouse the way production does: the simulator publishes to Kafka, the lake writer writes bronze
// objects, the loader's `batch` loads them and runs dbt. Each stage is its own process with env only. The
// events that reached Kafka are read back, so the test's ground truth is computed from exactly those.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  componentPaths,
  freePort,
  type KafkaInstance,
  type ManagedProcess,
  makeWorkdir,
  readTopic,
  repoRoot,
  type S3Instance,
  startKafka,
  startProcess,
  startS3,
  testKafka,
  waitUntil,
} from '@spotify-pipeline/harness';
import { createLogger, type ListeningEvent, TOPICS } from '@spotify-pipeline/shared';
import { consumerGroupLag } from '@spotify-pipeline/shared/consumer-lag';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';

export interface CatalogArtist {
  artist_id: string;
  name: string;
  genres: string[];
}

type PipelineEnv = Record<
  'KAFKA_BROKERS' | 'LAKE_ENDPOINT' | 'LAKE_BUCKET' | 'LAKE_REGION' | 'LAKE_ACCESS_KEY' | 'LAKE_SECRET_KEY',
  string
>;

export interface PipelineLake {
  /** Lake settings (LAKE_*) and Kafka (KAFKA_BROKERS) for the stages. */
  env: PipelineEnv;
  events: ListeningEvent[];
  artists: CatalogArtist[];
  kafka: KafkaInstance;
  s3: S3Instance;
  workdir: string;
  stop(): Promise<void>;
}

const logger = createLogger({ name: 'insights-test', level: 'silent' });
const BUCKET = 'spotify-lake';

function tsxArgs(entry: string, args: string[] = []) {
  return ['--conditions=source', '--import', 'tsx', join(repoRoot, entry), ...args];
}

/** Runs a stage to its end; fails with the tail of its output. */
function runStage(name: string, entry: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsxArgs(entry, args), {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${name} exited ${code}:\n${output.slice(-6000)}`)),
    );
  });
}

function startStage(
  name: string,
  entry: string,
  env: Record<string, string>,
  workdir: string,
): ManagedProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: tsxArgs(entry),
    logFile: join(workdir, `${name}.log`),
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    cwd: repoRoot,
  });
}

/**
 * Simulator -> Kafka -> lake writer -> lake. The artist catalog is written to the lake by this function from
 * the simulator's catalog.artists topic: the lake writer handles listening events only (no stage writes the
 * catalog topics to the lake yet), and without it every genre would be 'unknown'.
 */
export async function runPipelineToLake(simulator: {
  listeners: number;
  days: number;
  start: string;
  seed: number;
}): Promise<PipelineLake> {
  const work = makeWorkdir('insights-pipeline');
  const [kafka, s3] = await Promise.all([startKafka(), startS3()]);
  const env: PipelineEnv = {
    KAFKA_BROKERS: kafka.bootstrap,
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: BUCKET,
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  };
  const stop = async () => {
    await Promise.all([kafka.destroy(), s3.destroy()]);
    work.remove();
  };
  try {
    await runStage(
      'simulator',
      'services/simulator/src/cli.ts',
      [
        '--mode',
        'backfill',
        '--listeners',
        String(simulator.listeners),
        '--days',
        String(simulator.days),
        '--start',
        simulator.start,
        '--seed',
        String(simulator.seed),
        '--artists',
        '200',
        '--create-topics',
        '--partitions',
        '3',
      ],
      env,
    );
    const lakeWriter = startStage(
      'lake-writer',
      'services/lake-writer/src/main.ts',
      { ...env, OPS_PORT: String(await freePort()), LAKE_WRITER_BATCH_MAX_AGE_MS: '1000' },
      work.path,
    );
    const client = testKafka(kafka.bootstrap, logger);
    const admin = client.admin();
    await admin.connect();
    try {
      await waitUntil(
        'the lake writer to write every event',
        async () => (await consumerGroupLag(admin, 'lake-writer', TOPICS.listeningEvents)) === 0,
        { timeoutMs: 180_000, intervalMs: 1000, logHint: () => lakeWriter.tail() },
      );
    } finally {
      await admin.disconnect();
      await lakeWriter.stop();
    }
    const events = (await readTopic(client, TOPICS.listeningEvents)).map(
      (r) => JSON.parse(r.value.toString()) as ListeningEvent,
    );
    const artistRecords = await readTopic(client, TOPICS.artists);
    const artists = artistRecords.map((r) => JSON.parse(r.value.toString()) as CatalogArtist);

    const store = createObjectStore(env);
    await ensureBucket(store, BUCKET);
    const lines = artistRecords.map((r) =>
      JSON.stringify({
        ...JSON.parse(r.value.toString()),
        _topic: TOPICS.artists,
        _partition: r.partition,
        _offset: Number(r.offset),
        _ingested_at: new Date().toISOString(),
      }),
    );
    const date = simulator.start.slice(0, 10);
    await store.putObject(
      BUCKET,
      `bronze/${TOPICS.artists}/date=${date}/hour=00/${TOPICS.artists}+0+0-${lines.length - 1}.jsonl.gz`,
      gzipSync(`${lines.join('\n')}\n`),
    );
    return { env, events, artists, kafka, s3, workdir: work.path, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The loader's `batch` (load, then dbt build) into the warehouse the env selects. */
export function loadAndBuild(lake: PipelineLake, warehouseEnv: Record<string, string>, name: string) {
  const dbtDir = join(lake.workdir, `dbt-${name}`);
  return runStage('loader', 'services/loader/src/cli.ts', ['batch'], {
    ...lake.env,
    ...warehouseEnv,
    DBT_BIN: componentPaths().dbt,
    DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
    DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
    DBT_TARGET_PATH: join(dbtDir, 'target'),
    DBT_LOG_PATH: join(dbtDir, 'logs'),
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  });
}
