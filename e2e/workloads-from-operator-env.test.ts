import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  exportRows,
  type FakeSpotify,
  freePort,
  type KafkaInstance,
  makeWorkdir,
  type PostgresInstance,
  playedItem,
  readTopic,
  repoRoot,
  type S3Instance,
  startFakeSpotify,
  startKafka,
  startPostgres,
  startProcess,
  startS3,
  testKafka,
} from '@spotify-pipeline/harness';
import type { BuildContext, ChildObject } from '@spotify-pipeline/operator/builders/context';
import { buildInsightsDeployment } from '@spotify-pipeline/operator/builders/insights';
import { pipelineTopics } from '@spotify-pipeline/operator/builders/kafka-topic';
import { buildLoadCronJob } from '@spotify-pipeline/operator/builders/schedule';
import { buildSourceWorkloads } from '@spotify-pipeline/operator/builders/sources';
import { buildLakeWriterDeployment } from '@spotify-pipeline/operator/builders/workloads';
import { ensureExternalTopic } from '@spotify-pipeline/operator/external/external-kafka';
import { testContext } from '@spotify-pipeline/operator/testing/support/builder-context';
import { createLogger, DLQ_HEADERS, decodeListeningEvent } from '@spotify-pipeline/shared';
import {
  createObjectStore,
  ensureBucket,
  listAllObjects,
  type ObjectStoreClient,
} from '@spotify-pipeline/shared/object-store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each workload's real entry point, started with nothing but the env the operator's builder puts in its pod
// (Secrets resolved the way the kubelet resolves secretKeyRef), against the harness's Kafka, S3 server and
// PostgreSQL. Two test-only overrides, each because this is one host rather than a pod network: OPS_PORT
// (every pod may listen on 8080; processes here cannot) and the Spotify URLs (the live API is unreachable,
// the harness's stand-in answers instead).

const TOPIC = 'listening-events';
const logger = createLogger({ name: 'workload-env-test', level: 'warn' });
const CLIENT_SECRET = randomBytes(12).toString('hex');
const ALICE_TOKEN = randomBytes(12).toString('hex');

const ENTRY: Record<string, string> = {
  simulator: 'services/simulator/src/cli.ts',
  spotify_api: 'services/spotify-poller/src/cli.ts',
  history_import: 'services/history-import/src/cli.ts',
  'lake-writer': 'services/lake-writer/src/main.ts',
  loader: 'services/loader/src/cli.ts',
  insights: 'services/insights/src/main.ts',
};

interface Container {
  args?: string[];
  env: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
  }>;
}

/** The container of a Deployment, Job or CronJob. */
function containerOf(object: ChildObject): Container {
  type PodTemplate = { template: { spec: { containers: Container[] } } };
  const spec = object.spec as PodTemplate & { jobTemplate: { spec: PodTemplate } };
  return (object.kind === 'CronJob' ? spec.jobTemplate.spec : spec).template.spec.containers[0]!;
}

/** What the kubelet hands the process: plain values, Secret keys by secretKeyRef (a missing required one is fatal). */
function resolveEnv(
  container: Container,
  secrets: Record<string, Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom) {
      const { name, key, optional } = entry.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value !== undefined) env[entry.name] = value;
      else if (!optional) throw new Error(`the pod would not start: Secret ${name} has no key ${key}`);
    }
  }
  return env;
}

const logs = makeWorkdir('workload-env-logs');

function run(workload: string, env: Record<string, string>, args: string[] = []) {
  const proc = startProcess({
    name: workload,
    command: process.execPath,
    args: ['--conditions=source', '--import', 'tsx', join(repoRoot, ENTRY[workload]!), ...args],
    cwd: repoRoot,
    // Only PATH from this process: nothing else leaks in from the test's environment.
    env: { PATH: process.env.PATH, ...env },
    logFile: join(logs.path, `${workload}-${Date.now()}.log`),
  });
  const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
  return { proc, exited };
}

async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let kafka: KafkaInstance;
let s3: S3Instance;
let postgres: PostgresInstance;
let spotify: FakeSpotify;
let store: ObjectStoreClient;
let ctx: BuildContext;
let secrets: Record<string, Record<string, string>>;
const client = () => testKafka(kafka.bootstrap, logger);
const bucket = 'lake-from-env';

const events = async () =>
  (await readTopic(client(), TOPIC)).map((r) => {
    const decoded = decodeListeningEvent(r.value);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.value;
  });

beforeAll(async () => {
  [kafka, s3, postgres] = await Promise.all([startKafka(), startS3(), startPostgres()]);
  spotify = await startFakeSpotify({
    clientId: 'app-1',
    clientSecret: CLIENT_SECRET,
    refreshTokens: { [ALICE_TOKEN]: 'alice' },
  });
  const t0 = Date.UTC(2026, 0, 10, 8);
  spotify.plays.set(
    'alice',
    Array.from({ length: 30 }, (_, i) => playedItem(i, t0 + i * 300_000)),
  );
  store = createObjectStore({
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: bucket,
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  await ensureBucket(store, bucket);
  const rows = exportRows(120, { username: 'alice' });
  rows.splice(7, 0, { ...(rows[0] as object), ms_played: 'a lot' });
  const file = Buffer.from(JSON.stringify(rows));
  await store.putObject(bucket, 'imports/alice/Streaming_History_Audio_2024_0.json', file, file.length);

  ctx = testContext({
    audience: { users: 2000 },
    kafka: { mode: 'external', external: { bootstrapServers: kafka.bootstrap } },
    lake: { endpoint: s3.endpoint, bucket, region: s3.region, credentialsSecret: 'lake-creds' },
    lakeWriter: { autoscaler: 'none', batch: { maxAgeSeconds: 2 } },
    warehouse: { type: 'postgres', credentialsSecret: 'pg-creds', database: postgres.database },
    sources: [
      { type: 'simulator', eventsPerSecond: 300 },
      {
        type: 'spotify_api',
        credentialsSecret: 'spotify-app',
        spotifyApi: {
          tokenSecret: 'spotify-tokens',
          listeners: [{ userId: 'alice', country: 'GB' }],
          intervalSeconds: 10,
        },
      },
      { type: 'history_import', historyImport: { prefix: 'imports/alice/', userId: 'alice' } },
    ],
  });
  secrets = {
    'lake-creds': { LAKE_ACCESS_KEY: s3.accessKey, LAKE_SECRET_KEY: s3.secretKey },
    'spotify-app': { SPOTIFY_CLIENT_ID: 'app-1', SPOTIFY_CLIENT_SECRET: CLIENT_SECRET },
    'spotify-tokens': { alice: ALICE_TOKEN },
    'pg-creds': {
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
    },
  };
  // What the operator's topics step does for external Kafka (retried as its reconcile would: a broker
  // that just started can answer UNKNOWN_TOPIC_OR_PARTITION while it creates the first topics).
  const settings = { KAFKA_BROKERS: [kafka.bootstrap], KAFKA_CLIENT_ID: 'operator', KAFKA_SSL: false };
  for (const topic of pipelineTopics(ctx)) {
    await until(`topic ${topic.name}`, () =>
      ensureExternalTopic(settings, { ...topic, replicas: 1 }, logger, AbortSignal.timeout(15_000)).then(
        () => true,
        () => false,
      ),
    );
  }
}, 300_000);

afterAll(async () => {
  await spotify?.stop();
  await Promise.all([kafka?.destroy(), s3?.destroy(), postgres?.destroy()]);
  logs.remove();
});

const sourceEnv = (index: number) =>
  resolveEnv(containerOf(buildSourceWorkloads(ctx)[index]!.object), secrets);

/** The insights Deployment of the same pipeline with spec.insights.enabled. */
const insightsEnv = () => {
  const spec = { ...ctx.pipeline.spec, insights: { ...ctx.pipeline.spec.insights, enabled: true } };
  return resolveEnv(
    containerOf(buildInsightsDeployment({ ...ctx, pipeline: { ...ctx.pipeline, spec } })!),
    secrets,
  );
};

describe('each workload started with only the env the operator builds for its pod', () => {
  it('simulator (Deployment): its catalog to the pipeline catalog topics, real-time events to the pipeline topic, stops cleanly on SIGTERM', async () => {
    const { proc, exited } = run('simulator', { ...sourceEnv(0), OPS_PORT: String(await freePort()) });
    await until('simulated events on the topic', async () => (await events()).length >= 300);
    await proc.stop(30_000);
    expect(await exited).toBe(0);
    const published = await events();
    expect(published.every((e) => e.source === 'simulator')).toBe(true);
    // The catalog is published before the first event, keyed by id.
    for (const [kind, key] of [
      ['artists', 'artist_id'],
      ['albums', 'album_id'],
      ['tracks', 'track_id'],
    ] as const) {
      const records = await readTopic(client(), `${TOPIC}.catalog.${kind}`);
      expect(records.length, kind).toBeGreaterThan(0);
      expect(records.every((r) => JSON.parse(r.value.toString())[key] === r.key)).toBe(true);
    }
  });

  it('spotify poller (Deployment): reads its listener with the token from the Secret, keeps its cursor in the lake', async () => {
    const env = { ...sourceEnv(1), SPOTIFY_ACCOUNTS_URL: spotify.url, SPOTIFY_API_URL: spotify.url };
    const { proc, exited } = run('spotify_api', env);
    const polled = await until('the poller events', async () => {
      const mine = (await events()).filter((e) => e.source === 'spotify_api');
      return mine.length === 60 ? mine : null;
    });
    await proc.stop(30_000);
    expect(await exited).toBe(0);
    expect(polled.every((e) => e.user_id === 'alice' && e.country === 'GB')).toBe(true);
    const state = await listAllObjects(store, bucket, 'state/spotify-poller/music/wrapped/');
    expect(state.map((o) => o.name)).toEqual(['state/spotify-poller/music/wrapped/alice.json']);
  });

  it('history import (Job): imports the uploaded export files, bad rows to the DLQ, exit 0', async () => {
    const { proc, exited } = run('history_import', sourceEnv(2));
    expect(await exited, proc.tail()).toBe(0);
    const imported = (await events()).filter((e) => e.source === 'history_import');
    expect(imported.length).toBeGreaterThan(100);
    expect(imported.every((e) => e.user_id === 'alice')).toBe(true);
    const dead = await readTopic(client(), `${TOPIC}.dlq`);
    expect(dead.map((d) => d.headers[DLQ_HEADERS.reason])).toEqual([
      expect.stringMatching(/^Streaming_History_Audio_2024_0\.json: export row: ms_played/),
    ]);
  });

  it('lake writer (Deployment): writes every event to bronze, commits, stops cleanly', async () => {
    const total = (await events()).length;
    const { proc, exited } = run('lake-writer', {
      ...resolveEnv(containerOf(buildLakeWriterDeployment(ctx)), secrets),
      OPS_PORT: String(await freePort()),
    });
    // The writer commits an offset only once the objects holding everything below it are stored.
    const admin = client().admin();
    await admin.connect();
    try {
      await until('the consumer group committed every event', async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: 'music.wrapped.lake-writer',
          topics: [TOPIC],
        });
        const done = (committed?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        return done === total;
      });
    } finally {
      await admin.disconnect();
    }
    expect((await listAllObjects(store, bucket, `bronze/${TOPIC}/`)).length).toBeGreaterThan(0);
    await proc.stop(30_000);
    expect(await exited).toBe(0);
  });

  it('loader (load CronJob): loads the bronze objects into PostgreSQL exactly as its env says', async () => {
    const total = (await events()).length;
    const container = containerOf(buildLoadCronJob(ctx)!);
    const { proc, exited } = run('loader', resolveEnv(container, secrets), container.args);
    expect(await exited, proc.tail()).toBe(0);
    const db = new pg.Client({ connectionString: postgres.connectionString });
    await db.connect();
    try {
      const { rows } = await db.query('select count(*)::int as n from bronze.listening_events');
      expect(rows[0].n).toBe(total);
    } finally {
      await db.end();
    }
  });
});

describe('the insights service started with only the env the operator builds for its pod', () => {
  it('connects to the warehouse it names and, before any dbt build, says why it is not ready', async () => {
    // INSIGHTS_PORT: every pod may listen on 8080; processes on one host cannot.
    const port = await freePort();
    const { proc, exited } = run('insights', { ...insightsEnv(), INSIGHTS_PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    const readyz = await until('insights to listen', () =>
      fetch(`${url}/readyz`).then(
        async (r) => ({ status: r.status, text: await r.text() }),
        () => null,
      ),
    );
    expect(readyz.status, proc.tail()).toBe(503);
    expect(readyz.text).toMatch(/gold is not built yet .*gold_freshness.*run the loader's batch/s);
    const meta = await fetch(`${url}/api/v1/meta`);
    expect(meta.status).toBe(503);
    expect(((await meta.json()) as { message: string }).message).toMatch(/gold is not built yet/);
    proc.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('a careless or hostile env: one clear line and a non-zero exit, never a stack trace', () => {
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    [
      'simulator, unknown enum',
      () => ({ ...sourceEnv(0), SIMULATOR_MODE: 'fast' }),
      /SIMULATOR_MODE: Invalid option/,
    ],
    [
      'simulator, no broker',
      () => {
        const { KAFKA_BROKERS: _, ...e } = sourceEnv(0);
        return e;
      },
      /KAFKA_BROKERS: is required/,
    ],
    [
      'simulator, absurd number',
      () => ({ ...sourceEnv(0), SIMULATOR_RATE: '9'.repeat(400) }),
      /SIMULATOR_RATE/,
    ],
    [
      'poller, listeners not JSON',
      () => ({ ...sourceEnv(1), SPOTIFY_POLLER_LISTENERS: '[{"user_id":' }),
      /SPOTIFY_POLLER_LISTENERS: is not JSON/,
    ],
    [
      'poller, no client secret',
      () => {
        const { SPOTIFY_CLIENT_SECRET: _, ...e } = sourceEnv(1);
        return e;
      },
      /SPOTIFY_CLIENT_SECRET/,
    ],
    [
      'import, prefix with a NUL',
      () => ({ ...sourceEnv(2), HISTORY_IMPORT_PREFIX: 'imports/\u0001' }),
      /HISTORY_IMPORT_PREFIX/,
    ],
    [
      'import, no lake key',
      () => {
        const { LAKE_SECRET_KEY: _, ...e } = sourceEnv(2);
        return e;
      },
      /LAKE_SECRET_KEY: is required/,
    ],
    [
      'lake writer, unknown format',
      () => ({
        ...resolveEnv(containerOf(buildLakeWriterDeployment(ctx)), secrets),
        LAKE_WRITER_FORMAT: 'csv',
      }),
      /LAKE_WRITER_FORMAT/,
    ],
    ['insights, port out of range', () => ({ ...insightsEnv(), INSIGHTS_PORT: '70000' }), /INSIGHTS_PORT/],
    [
      'insights, no warehouse password',
      () => {
        const { POSTGRES_PASSWORD: _, ...e } = insightsEnv();
        return e;
      },
      /POSTGRES_PASSWORD: is required for WAREHOUSE=postgres: mount it from the warehouse credentials Secret/,
    ],
    [
      'loader, unknown warehouse',
      () => ({ ...resolveEnv(containerOf(buildLoadCronJob(ctx)!), secrets), WAREHOUSE: 'bigquery' }),
      /WAREHOUSE/,
    ],
  ];

  it.each(cases)('%s', async (name, env, message) => {
    const workload = name.startsWith('simulator')
      ? 'simulator'
      : name.startsWith('poller')
        ? 'spotify_api'
        : name.startsWith('import')
          ? 'history_import'
          : name.startsWith('lake writer')
            ? 'lake-writer'
            : name.startsWith('insights')
              ? 'insights'
              : 'loader';
    const { proc, exited } = run(workload, env(), workload === 'loader' ? ['load'] : []);
    expect(await exited).toBe(2);
    const lines = proc.tail(50).trim().split('\n');
    expect(lines, proc.tail()).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/^[a-z-]+: invalid configuration: /);
    expect(lines[0]).not.toMatch(/\n\s+at |\.ts:\d+/);
  });

  it('an import with nothing under its prefix: one line that says where to upload, exit 3', async () => {
    const { proc, exited } = run('history_import', {
      ...sourceEnv(2),
      HISTORY_IMPORT_PREFIX: 'imports/nobody/',
    });
    expect(await exited).toBe(3);
    expect(proc.tail().trim()).toBe(
      `spotify-history-import: nothing under s3://${bucket}/imports/nobody/: upload the Streaming_History_Audio_*.json files of a Spotify export there`,
    );
  });
});
