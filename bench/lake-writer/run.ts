/**
 * Lake writer benchmark: events/s of one writer process from Kafka to the object store (gzip JSON Lines),
 * beside Kafka's own Java consumer (ConsumerPerformance) reading the same topic, then the freshness from
 * event produced to object readable at a steady rate. Writes bench/results/lake-writer.json.
 * Run: npm run bench -- lake-writer   (BENCH_EVENTS, BENCH_RATE, BENCH_SECONDS, BENCH_ROUNDS override the sizes;
 * BENCH_REFERENCE_WRITER=<another checkout> and/or BENCH_REFERENCE_NODE_ARGS=<flags> add a reference writer
 * in alternating rounds)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  benchMachine,
  componentPaths,
  createTopicWithDlq,
  groupLag,
  type KafkaInstance,
  median,
  repoRoot,
  type S3Instance,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { sampleEvent } from '@spotify-pipeline/lake-writer/testing/sample-event';
import {
  metricValue,
  sleep,
  spawnWriter,
  testKafka,
  testStore,
  waitFor,
  waitReady,
} from '@spotify-pipeline/lake-writer/testing/support';
import { Partitioners } from '@spotify-pipeline/shared/kafka';
import { bronzeObjectKey, parseBronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';
import { listAllObjects } from '@spotify-pipeline/shared/object-store';
import { measurePerRecord } from './per-record.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SKIP_FRESHNESS = process.env.BENCH_SKIP_FRESHNESS === '1';
const MAX_AGE_MS = 5000;
const PARTITIONS = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`BENCH_ROUNDS must be a whole number of at least 1, not ${process.env.BENCH_ROUNDS}`);
const gunzipAsync = promisify(gunzip);

const log = (msg: string) => console.log(`[bench lake-writer] ${msg}`);

async function preload(kafka: ReturnType<typeof testKafka>, topic: string, count: number): Promise<number> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = Date.now();
  const batch = 2000;
  const inFlight: Array<Promise<unknown>> = [];
  for (let sent = 0; sent < count; sent += batch) {
    const messages = [];
    for (let i = 0; i < Math.min(batch, count - sent); i++) {
      const event = sampleEvent();
      messages.push({ key: event.user_id, value: JSON.stringify(event) });
    }
    inFlight.push(producer.send({ topic, acks: 1, messages }));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  return count / ((Date.now() - started) / 1000);
}

async function measureFreshness(
  kafkaServer: KafkaInstance,
  s3: S3Instance,
  env: Record<string, string>,
): Promise<Array<Record<string, unknown>>> {
  const kafka = testKafka(kafkaServer);
  const store = testStore(s3);
  // 2. Freshness: a steady rate; event_ts is the produce time, an object is readable when first listed.
  const freshTopic = 'bench-fresh';
  await createTopicWithDlq(kafka, freshTopic, PARTITIONS);
  const fresh = await spawnWriter({
    kafka: kafkaServer,
    s3,
    bucket: 'bench-fresh',
    topic: freshTopic,
    groupId: 'bench-fresh',
    env,
  });
  await waitReady(fresh, 'the writer to join', 50);
  const seen = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const listed = await listAllObjects(store, 'bench-fresh', `bronze/${freshTopic}/`).catch(() => []);
      const now = Date.now();
      for (const { name } of listed) if (!seen.has(name)) seen.set(name, now);
      await sleep(100);
    }
  })();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const total = RATE * SECONDS;
  const t0 = Date.now();
  for (let sent = 0; sent < total; sent += RATE / 10) {
    const messages = [];
    for (let i = 0; i < RATE / 10; i++) {
      const event = sampleEvent();
      messages.push({ key: event.user_id, value: JSON.stringify(event) });
    }
    await producer.send({ topic: freshTopic, acks: 1, messages });
    const due = t0 + ((sent + RATE / 10) / RATE) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  await producer.disconnect();
  await waitFor(
    'the fresh topic drained',
    async () => (await groupLag(kafka, 'bench-fresh', freshTopic)) === 0,
    120_000,
    250,
  );
  await sleep(500);
  polling = false;
  await poller;
  await fresh.terminate();

  const delays: number[] = [];
  for (const [name, readableAt] of seen) {
    const parsed = parseBronzeObjectKey(name);
    if (!parsed) continue;
    const stream = await store.getObject('bench-fresh', bronzeObjectKey(parsed));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const text = (await gunzipAsync(Buffer.concat(chunks))).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const ts = /"event_ts":"([^"]+)"/.exec(line)?.[1];
      if (ts) delays.push(readableAt - Date.parse(ts));
    }
  }
  delays.sort((a, b) => a - b);
  const pct = (p: number) =>
    (delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? 0) / 1000;
  log(`freshness over ${delays.length} events at ${RATE}/s: p50 ${pct(50)} s, p99 ${pct(99)} s`);
  const budget = MAX_AGE_MS / 1000 + 2;
  return [
    {
      name: `freshness p50, event produced to object listed (${RATE} events/s, max batch age ${MAX_AGE_MS / 1000} s)`,
      value: pct(50),
      unit: 's',
      reference: 'max batch age + 2 s',
      reference_value: budget,
      ratio: Number((pct(50) / budget).toFixed(3)),
    },
    {
      name: `freshness p99, event produced to object listed (${RATE} events/s, max batch age ${MAX_AGE_MS / 1000} s)`,
      value: pct(99),
      unit: 's',
      reference: 'max batch age + 2 s',
      reference_value: budget,
      ratio: Number((pct(99) / budget).toFixed(3)),
    },
  ];
}

interface DrainResult {
  rate: number;
  bytes: number;
  /** CPU seconds of the whole writer process (every thread) per event, while it consumed. */
  cpuPerEvent: number;
}

/** One writer process drains the whole preloaded topic in its own group: events/s from joining to committed. */
async function drain(
  kafkaServer: KafkaInstance,
  s3: S3Instance,
  topic: string,
  groupId: string,
  options: { env: Record<string, string>; nodeArgs: string[]; entry?: string },
): Promise<DrainResult> {
  const writer = await spawnWriter({
    kafka: kafkaServer,
    s3,
    bucket: 'bench-lake',
    topic,
    groupId,
    env: options.env,
    nodeArgs: options.nodeArgs,
    ...(options.entry ? { entry: options.entry } : {}),
  });
  await waitReady(writer, 'the writer to join', 50);
  // Timed from joining until every record is stored and committed. Once all are consumed the writer gets
  // SIGTERM, which flushes the last partial buffers at once instead of after the age limit.
  const started = Date.now();
  const cpuAtStart = await metricValue(writer.opsPort, 'process_cpu_seconds_total');
  await waitFor(
    'the writer to consume the topic',
    async () => (await metricValue(writer.opsPort, 'lake_writer_records_consumed_total')) >= EVENTS,
    900_000,
    100,
  );
  const objects = await metricValue(writer.opsPort, 'lake_writer_objects_written_total');
  const flushes = await metricValue(writer.opsPort, 'lake_writer_flush_duration_seconds_count');
  const flushSeconds = await metricValue(writer.opsPort, 'lake_writer_flush_duration_seconds_sum');
  const bytes = await metricValue(writer.opsPort, 'lake_writer_bytes_written_total');
  const cpuSeconds = (await metricValue(writer.opsPort, 'process_cpu_seconds_total')) - cpuAtStart;
  const consumedSeconds = (Date.now() - started) / 1000;
  if ((await writer.terminate()) !== 0) throw new Error('the writer did not stop cleanly');
  const writerSeconds = (Date.now() - started) / 1000;
  if ((await groupLag(testKafka(kafkaServer), groupId, topic)) !== 0)
    throw new Error('offsets not all committed');
  const rate = EVENTS / writerSeconds;
  log(
    `${groupId}: ${EVENTS} events in ${writerSeconds.toFixed(1)} s = ${Math.round(rate)}/s, ${objects}+ objects, ${(bytes / 1e6).toFixed(1)}+ MB gzip, mean flush ${(flushSeconds / Math.max(1, flushes)).toFixed(2)} s; CPU ${(cpuSeconds / consumedSeconds).toFixed(2)} cores, ${Math.round((cpuSeconds / EVENTS) * 1e6)} µs/event`,
  );
  return { rate, bytes, cpuPerEvent: cpuSeconds / EVENTS };
}

async function main(): Promise<void> {
  // 0. The per-record boundary alone, before the broker and S3 server start taking CPU.
  const perRecord = measurePerRecord();
  log(
    `per-record boundary: ${perRecord[0]?.value} records/s, ${perRecord[0]?.ratio}x the path before the quick checks`,
  );
  const [kafkaServer, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
  const kafka = testKafka(kafkaServer);
  const figures: Array<Record<string, unknown>> = [...perRecord];
  try {
    // 1. Throughput: a preloaded topic drained by one writer process.
    const topic = 'bench-events';
    await createTopicWithDlq(kafka, topic, PARTITIONS);
    const produceRate = await preload(kafka, topic, EVENTS);
    log(`preloaded ${EVENTS} events at ${Math.round(produceRate)}/s`);

    const env: Record<string, string> = {
      LAKE_WRITER_BATCH_MAX_EVENTS: '20000',
      LAKE_WRITER_GZIP_LEVEL: process.env.BENCH_GZIP_LEVEL ?? '1',
      LAKE_WRITER_BATCH_MAX_AGE_MS: String(MAX_AGE_MS),
    };
    // BENCH_PROFILE=<dir> writes a V8 CPU profile of each writer process there (open it in Chrome DevTools).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    if (process.env.BENCH_PROFILE) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`);
    // BENCH_REFERENCE_WRITER=<checkout> runs that checkout's writer in alternating rounds with this one, on
    // the same topic, each round in a group of its own: how a change moved the rate, measured side by side.
    // BENCH_REFERENCE_NODE_ARGS=<flags> does the same with this checkout's writer under other node flags.
    const referenceCheckout = process.env.BENCH_REFERENCE_WRITER;
    const referenceEntry = referenceCheckout && join(referenceCheckout, 'services/lake-writer/src/main.ts');
    if (referenceEntry && !existsSync(referenceEntry))
      throw new Error(
        `BENCH_REFERENCE_WRITER: ${referenceEntry} does not exist; give the root of a checkout`,
      );
    const referenceNodeArgs = process.env.BENCH_REFERENCE_NODE_ARGS;
    const hasReference = referenceCheckout !== undefined || referenceNodeArgs !== undefined;
    const writers: Array<{ name: string; entry?: string; nodeArgs: string[] }> = [
      { name: 'this', nodeArgs },
      ...(hasReference
        ? [
            {
              name: 'reference',
              ...(referenceEntry ? { entry: referenceEntry } : {}),
              nodeArgs:
                referenceNodeArgs === undefined ? nodeArgs : referenceNodeArgs.split(' ').filter(Boolean),
            },
          ]
        : []),
    ];
    const rates = new Map<string, number[]>(writers.map((w) => [w.name, []]));
    const cpu: number[] = [];
    let drained: DrainResult | undefined;
    for (let round = 0; round < ROUNDS; round++)
      for (const writer of writers) {
        const result = await drain(kafkaServer, s3, topic, `bench-writer-${writer.name}-${round}`, {
          env,
          nodeArgs: writer.nodeArgs,
          ...(writer.entry ? { entry: writer.entry } : {}),
        });
        rates.get(writer.name)?.push(result.rate);
        if (writer.name === 'this') {
          cpu.push(result.cpuPerEvent);
          drained ??= result;
        }
      }
    const writerRate = median(rates.get('this') ?? []);
    log(`median of ${ROUNDS}: ${Math.round(writerRate)}/s`);
    const bytes = drained?.bytes ?? 0;

    const paths = componentPaths();
    const perf = execFileSync(
      paths.java,
      [
        '-Xmx512m',
        '-cp',
        `${paths.kafkaLibs}/*`,
        'org.apache.kafka.tools.ConsumerPerformance',
        '--bootstrap-server',
        kafkaServer.bootstrap,
        '--topic',
        topic,
        '--messages',
        String(EVENTS),
        '--group',
        'bench-java-perf',
        '--timeout',
        '60000',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const [header, values] = perf.trim().split('\n').slice(-2);
    const row = Object.fromEntries(
      (header ?? '').split(',').map((name, i) => [name.trim(), (values ?? '').split(',')[i]?.trim() ?? '']),
    );
    const javaRate = Number(row['nMsg.sec']);
    log(`java ConsumerPerformance: ${javaRate}/s (${row['MB.sec']} MB/s)`);
    figures.push(
      {
        name: `events per second, one writer process, Kafka to S3 (gzip JSON Lines, validated; median of ${ROUNDS})`,
        value: Math.round(writerRate),
        unit: 'events/s',
        reference: 'Kafka Java ConsumerPerformance, same topic (read only, no validation, no upload)',
        reference_value: Math.round(javaRate),
        ratio: Number((writerRate / javaRate).toFixed(3)),
      },
      {
        name: `CPU per event, the whole writer process (every thread), median of ${ROUNDS}`,
        value: Number((median(cpu) * 1e6).toFixed(1)),
        unit: 'µs/event',
      },
      ...(hasReference
        ? [
            {
              name: `events per second, this writer against a reference writer (median of ${ROUNDS} alternating rounds)`,
              value: Math.round(writerRate),
              unit: 'events/s',
              reference:
                process.env.BENCH_REFERENCE_LABEL ??
                `the writer of ${referenceCheckout ?? 'this checkout'} with node flags '${referenceNodeArgs ?? nodeArgs.join(' ')}'`,
              reference_value: Math.round(median(rates.get('reference') ?? [])),
              ratio: Number((writerRate / median(rates.get('reference') ?? [])).toFixed(3)),
            },
          ]
        : []),
      {
        name: 'events per second against the 100k/s/process aim',
        value: Math.round(writerRate),
        unit: 'events/s',
        reference: 'aim',
        reference_value: 100_000,
        ratio: Number((writerRate / 100_000).toFixed(3)),
      },
      {
        name: 'compression: gzip bytes stored per event',
        value: Number((bytes / EVENTS).toFixed(1)),
        unit: 'bytes/event',
        reference: 'raw JSON bytes per event',
        reference_value: JSON.stringify(sampleEvent()).length,
        ratio: Number((bytes / EVENTS / JSON.stringify(sampleEvent()).length).toFixed(3)),
      },
    );

    if (!SKIP_FRESHNESS) figures.push(...(await measureFreshness(kafkaServer, s3, env)));
  } finally {
    await Promise.all([kafkaServer.destroy(), s3.destroy()]);
  }

  const result = {
    benchmark: 'lake-writer',
    date: new Date().toISOString(),
    machine: benchMachine('broker, S3 server, producer and writer on the same machine'),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/lake-writer.json'), `${JSON.stringify(result, null, 2)}\n`);
  log('wrote bench/results/lake-writer.json');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
