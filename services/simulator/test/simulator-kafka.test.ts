import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type KafkaInstance,
  readTopic,
  type S3Instance,
  startKafka,
  startS3,
  testKafka,
} from '@spotify-pipeline/harness';
import {
  createLogger,
  DLQ_HEADERS,
  decodeListeningEvent,
  groundTruthSchema,
  loadConfig,
  MAX_EVENT_BYTES,
  TOPICS,
  validateAlbum,
  validateTrack,
} from '@spotify-pipeline/shared';
import {
  createObjectStore,
  ensureBucket,
  listAllObjects,
  readObject,
} from '@spotify-pipeline/shared/object-store';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
  type Publisher,
} from '@spotify-pipeline/shared/publisher';
import { simulatorEnvSchema } from '@spotify-pipeline/shared/workloads';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorOptions, simulatorOptions } from '../src/options.js';
import { runSimulator } from '../src/run.js';
import { createPublisherSink, type OutputSink } from '../src/sinks.js';
import { SAMPLE_TRACK_IDS, TRACKS_SAMPLE_CSV } from './tracks-sample.js';

const logger = createLogger({ name: 'simulator-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('simulator into a real Kafka broker', () => {
  let broker: KafkaInstance;
  let s3: S3Instance;
  let kafka: ReturnType<typeof testKafka>;

  beforeAll(async () => {
    [broker, s3] = await Promise.all([startKafka(), startS3()]);
    kafka = testKafka(broker.bootstrap, logger);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([broker?.destroy(), s3?.destroy()]);
  });

  // Runs are configured as the CLI and the operator configure them: through the simulator's env schema.
  const options = (extra: Record<string, string> = {}): SimulatorOptions =>
    simulatorOptions(
      loadConfig(simulatorEnvSchema, {
        SIMULATOR_DRY_RUN: 'true',
        SIMULATOR_LISTENERS: '1000',
        SIMULATOR_ARTISTS: '300',
        SIMULATOR_DAYS: '0.25',
        SIMULATOR_PROGRESS_SECONDS: '60',
        ...extra,
      }),
    );

  async function publishRun(prefix: string, extra: Record<string, string> = {}, wrap = (s: OutputSink) => s) {
    await ensureContractTopics(kafka, { partitions: 3, topicPrefix: prefix, logger });
    const publisher = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      source: 'simulator',
      topicPrefix: prefix,
    });
    const result = await runSimulator(options(extra), {
      sink: wrap(createPublisherSink([publisher])),
      logger,
      publisher,
    });
    return { result, publisher };
  }

  it('publishes only contract-valid events keyed by user_id, and the catalog to compacted topics', async () => {
    const { result } = await publishRun('valid.');
    const records = await readTopic(kafka, `valid.${TOPICS.listeningEvents}`);
    expect(records).toHaveLength(result.events);
    expect(result.events).toBeGreaterThan(10_000);
    const problems = records.flatMap((r) => {
      const decoded = decodeListeningEvent(r.value);
      if (!decoded.ok) return [decoded.reason];
      return decoded.value.user_id === r.key ? [] : [`key ${r.key} is not user_id ${decoded.value.user_id}`];
    });
    expect(problems).toEqual([]);
    expect(new Set(records.map((r) => r.partition)).size).toBe(3);

    const tracks = await readTopic(kafka, `valid.${TOPICS.tracks}`);
    expect(tracks.length).toBeGreaterThan(1000);
    expect(tracks.every((t) => JSON.parse(t.value.toString()).track_id === t.key)).toBe(true);
    const admin = kafka.admin();
    await admin.connect();
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: `valid.${TOPICS.tracks}`, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    });
    await admin.disconnect();
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('compact');
  });

  it('writes byte-identical streams for the same seed, run id and settings', async () => {
    await publishRun('det1.', { SIMULATOR_SEED: '9', SIMULATOR_RUN_ID: 'det', SIMULATOR_CATALOG: 'false' });
    await publishRun('det2.', { SIMULATOR_SEED: '9', SIMULATOR_RUN_ID: 'det', SIMULATOR_CATALOG: 'false' });
    const first = await readTopic(kafka, `det1.${TOPICS.listeningEvents}`);
    const second = await readTopic(kafka, `det2.${TOPICS.listeningEvents}`);
    expect(first.length).toBeGreaterThan(10_000);
    const bytes = (rs: typeof first) => rs.map((r) => `${r.partition}|${r.key}|${r.value.toString()}`);
    expect(bytes(second)).toEqual(bytes(first));
  });

  it('dead-letters malformed, unknown-version and oversize records with a reason and keeps publishing', async () => {
    const malformed = '{"schema_version":1,"event_id":"oops"';
    const unknownVersion = JSON.stringify({ schema_version: 2, event_id: 'x', user_id: 'u1' });
    const oversize = JSON.stringify({
      schema_version: 1,
      user_id: 'u2',
      padding: 'x'.repeat(MAX_EVENT_BYTES),
    });
    const bad = [malformed, unknownVersion, oversize];
    let publisherRef: Publisher | undefined;
    let written = 0;
    // Inject one bad record after every 2,000 good ones, through the same publisher the simulator uses.
    const inject = (sink: OutputSink): OutputSink => ({
      ...sink,
      write: (key, json) => {
        sink.write(key, json);
        written += 1;
        if (written % 2000 === 0 && bad.length > 0) publisherRef?.publishRaw(bad.shift()!);
      },
    });
    await ensureContractTopics(kafka, { partitions: 3, topicPrefix: 'dlq.', logger });
    publisherRef = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      source: 'simulator',
      topicPrefix: 'dlq.',
    });
    const result = await runSimulator(options({ SIMULATOR_CATALOG: 'false' }), {
      sink: inject(createPublisherSink([publisherRef])),
      logger,
    });
    expect(bad).toEqual([]);
    const dead = await readTopic(kafka, `dlq.${TOPICS.deadLetter}`);
    expect(dead.map((d) => d.value.toString())).toEqual([malformed, unknownVersion, oversize]);
    expect(dead.map((d) => d.headers[DLQ_HEADERS.reason])).toEqual([
      expect.stringMatching(/^not valid JSON/),
      'unknown schema_version 2: this build reads version 1',
      expect.stringMatching(/^record is \d+ bytes; the limit is 16384$/),
    ]);
    expect(dead.every((d) => d.headers[DLQ_HEADERS.stage] === 'source:simulator')).toBe(true);
    const events = await readTopic(kafka, `dlq.${TOPICS.listeningEvents}`);
    expect(events).toHaveLength(result.events);
    expect(result.events).toBeGreaterThan(6000);
  });

  it('flushes everything it generated when the CLI gets SIGTERM in real-time mode, and exits 0', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'src/cli.ts',
        '--mode',
        'realtime',
        '--rate',
        '500',
        '--artists',
        '200',
      ].concat([
        '--no-catalog',
        '--create-topics',
        '--partitions',
        '2',
        '--topic-prefix',
        'sigterm.',
        '--progress-seconds',
        '1',
      ]),
      {
        cwd,
        env: { ...process.env, KAFKA_BROKERS: broker.bootstrap },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 120_000;
    while (!stderr.includes('"msg":"progress"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const finished = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'simulation finished');
    expect(finished).toMatchObject({ stopped: true });
    expect(finished.events).toBeGreaterThan(0);
    const records = await readTopic(kafka, `sigterm.${TOPICS.listeningEvents}`);
    expect(records).toHaveLength(finished.events);
  });

  it('writes the ground truth of a stopped real-time run to the lake: exactly the events on the topic', async () => {
    const lake = {
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'truth',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    };
    const store = createObjectStore(lake);
    await ensureBucket(store, lake.LAKE_BUCKET);
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts'], {
      cwd,
      env: {
        ...process.env,
        ...lake,
        KAFKA_BROKERS: broker.bootstrap,
        SIMULATOR_MODE: 'realtime',
        SIMULATOR_RATE: '400',
        SIMULATOR_ARTISTS: '200',
        SIMULATOR_LISTENERS: '500',
        SIMULATOR_RUN_ID: 'truth-run-1',
        SIMULATOR_CATALOG: 'false',
        SOURCE_CREATE_TOPICS: 'true',
        SOURCE_TOPIC_PARTITIONS: '2',
        SOURCE_TOPIC_PREFIX: 'truth.',
        SIMULATOR_PROGRESS_SECONDS: '1',
        SIMULATOR_GROUND_TRUTH_PREFIX: 'ground-truth/simulator/',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 120_000;
    while (!stderr.includes('"msg":"progress"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await listAllObjects(store, lake.LAKE_BUCKET, 'ground-truth/')).toEqual([
      expect.objectContaining({ name: 'ground-truth/simulator/truth-run-1.json' }),
    ]);
    const body = await readObject(store, lake.LAKE_BUCKET, 'ground-truth/simulator/truth-run-1.json', {
      maxBytes: 1 << 24,
      timeoutMs: 10_000,
    });
    const truth = groundTruthSchema.parse(JSON.parse(body!.toString()));
    const records = await readTopic(kafka, `truth.${TOPICS.listeningEvents}`);
    expect(truth.events).toBeGreaterThan(0);
    expect(truth.events).toBe(records.length);
    const byType: Record<string, number> = {};
    for (const r of records) {
      const decoded = decodeListeningEvent(r.value);
      if (decoded.ok) byType[decoded.value.event_type] = (byType[decoded.value.event_type] ?? 0) + 1;
    }
    expect(Object.fromEntries(Object.entries(truth.events_by_type).filter(([, n]) => n > 0))).toEqual(byType);
  });

  it('refuses a ground-truth prefix without the lake settings, naming them', () => {
    expect(() =>
      loadConfig(simulatorEnvSchema, { SIMULATOR_DRY_RUN: 'true', SIMULATOR_GROUND_TRUTH_PREFIX: 'gt/' }),
    ).toThrow(/LAKE_ENDPOINT: is required when SIMULATOR_GROUND_TRUTH_PREFIX is set/);
  });

  it('imports a tracks CSV as a user runs it (--catalog-only), then plays only its tracks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-import-'));
    const csv = join(dir, 'dataset.csv');
    writeFileSync(csv, TRACKS_SAMPLE_CSV);
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', 'src/cli.ts', ...args],
          {
            cwd: fileURLToPath(new URL('..', import.meta.url)),
            env: { ...process.env, KAFKA_BROKERS: broker.bootstrap, LOG_FORMAT: 'json' },
            stdio: ['ignore', 'ignore', 'pipe'],
            timeout: 120_000,
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const logLines = (stderr: string) =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      const common = ['--catalog-csv', csv, '--create-topics', '--partitions', '2', '--topic-prefix', 'csv.'];
      const imported = await cli([...common, '--catalog-only']);
      expect(imported.code, imported.stderr).toBe(0);
      const lines = logLines(imported.stderr);
      expect(lines.find((l) => l.msg === 'catalog imported')).toMatchObject({
        rows: 15,
        skipped: 5,
        duplicates: 1,
        tracks: SAMPLE_TRACK_IDS.length,
      });
      expect(lines.filter((l) => l.msg === 'tracks CSV row skipped').map((l) => l.line)).toEqual([
        12, 13, 14, 15, 16,
      ]);
      expect(lines.some((l) => l.msg === 'simulation started')).toBe(false);
      expect(await readTopic(kafka, `csv.${TOPICS.listeningEvents}`)).toEqual([]);
      const tracks = await readTopic(kafka, `csv.${TOPICS.tracks}`);
      expect(tracks.map((t) => t.key).sort()).toEqual([...SAMPLE_TRACK_IDS].sort());
      for (const t of tracks)
        expect(validateTrack(JSON.parse(t.value.toString()))).toMatchObject({ ok: true });
      const albums = (await readTopic(kafka, `csv.${TOPICS.albums}`)).map((r) =>
        JSON.parse(r.value.toString()),
      );
      expect(albums.map((a) => a.name)).toContain('Pop Virus');
      expect(albums.every((a) => a.release_date === null && validateAlbum(a).ok)).toBe(true);
      const artists = (await readTopic(kafka, `csv.${TOPICS.artists}`)).map((r) =>
        JSON.parse(r.value.toString()),
      );
      expect(artists.find((a) => a.name === 'Gen Hoshino')?.genres).toEqual(['acoustic', 'j-pop']);

      // The same file as the catalog of a run: every event plays one of its tracks.
      const run = await cli([...common, '--no-catalog', '--listeners', '300', '--max-events', '3000']);
      expect(run.code, run.stderr).toBe(0);
      const events = (await readTopic(kafka, `csv.${TOPICS.listeningEvents}`)).map((r) =>
        decodeListeningEvent(r.value),
      );
      expect(events).toHaveLength(3000);
      const ids = new Set<string>(SAMPLE_TRACK_IDS);
      expect(events.filter((e) => !e.ok || !ids.has(e.value.track_id))).toEqual([]);

      // A file that is not a tracks CSV: one line, exit 2, nothing published.
      const wrong = join(dir, 'history.json');
      writeFileSync(wrong, '[{"ts":"2024-01-01T00:00:00Z"}]\n');
      const refused = await cli([...common, '--catalog-only', '--catalog-csv', wrong]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /history\.json: not a tracks CSV: no track_id, track_name, artists, duration_ms column/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loses and duplicates nothing when the broker restarts mid-run', async () => {
    let restarted = false;
    let stopped: Promise<void> | undefined;
    let restart: Promise<void> | undefined;
    let pausedForStop = false;
    let publisherRef: Publisher | undefined;
    // Once 20,000 events are acknowledged, stop the broker, hold generation until it is down (so that the
    // run cannot finish first), keep publishing into the outage, and start the broker again 3 s later.
    const watch = (sink: OutputSink): OutputSink => ({
      ...sink,
      write: (key, json) => {
        sink.write(key, json);
        if (!stopped && publisherRef && publisherRef.stats().produced > 20_000) {
          stopped = broker.stop();
          restart = stopped
            .then(() => new Promise((r) => setTimeout(r, 3000)))
            .then(() => broker.start())
            .then(() => {
              restarted = true;
            });
        }
      },
      wantsDrain: () => (stopped !== undefined && !pausedForStop) || sink.wantsDrain(),
      drain: async () => {
        if (stopped && !pausedForStop) {
          await stopped;
          pausedForStop = true;
        }
        await sink.drain();
      },
    });
    await ensureContractTopics(kafka, { partitions: 3, topicPrefix: 'restart.', logger });
    const registry = new Registry();
    publisherRef = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      registry,
      source: 'simulator',
      topicPrefix: 'restart.',
    });
    const result = await runSimulator(options({ SIMULATOR_CATALOG: 'false', SIMULATOR_DAYS: '1' }), {
      sink: watch(createPublisherSink([publisherRef])),
      logger,
    });
    await restart;
    expect(restarted).toBe(true);
    // At least one batch waited out the outage (kafkajs retried it with its original sequence numbers).
    const latency = await registry.getSingleMetric('publisher_batch_duration_seconds')!.get();
    const fast = latency.values.find(
      (v) => (v as { metricName?: string }).metricName?.endsWith('_bucket') && v.labels.le === 2.5,
    )!.value;
    const all = latency.values.find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    )!.value;
    expect(all - fast).toBeGreaterThan(0);
    const records = await readTopic(kafka, `restart.${TOPICS.listeningEvents}`);
    const ids = records.map((r) => JSON.parse(r.value.toString()).event_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(result.events);
  });
});
