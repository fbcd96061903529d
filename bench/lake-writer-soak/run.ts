/**
 * Lake writer memory under a long run at full speed: one writer process drains a topic that producers keep
 * ahead of it (a backlog first, then producing while it writes), for BENCH_MINUTES (default 10). Samples the
 * writer's resident memory from its own /metrics every 5 s and reports it at the start, the peak and the end,
 * with the events/s and whether the writer ever ran out of backlog (then it was not at full speed).
 * Writes bench/results/lake-writer-soak.json. Run: npm run bench -- lake-writer-soak
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchMachine,
  componentPaths,
  createTopicWithDlq,
  groupLag,
  type KafkaInstance,
  median,
  repoRoot,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { sampleEvent } from '@spotify-pipeline/lake-writer/testing/sample-event';
import {
  metricValue,
  sleep,
  spawnWriter,
  testKafka,
  waitReady,
} from '@spotify-pipeline/lake-writer/testing/support';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 10);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2_000_000);
const PRODUCE_RATE = Number(process.env.BENCH_PRODUCE_RATE ?? 30_000);
const PARTITIONS = 4;
const SAMPLE_MS = 5000;
const TOPIC = 'soak-events';
const GROUP = 'soak-writer';
const log = (msg: string) =>
  console.log(`[bench lake-writer-soak] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

/**
 * Kafka's Java ProducerPerformance sending lines of a payload file of sample events: it keeps a backlog ahead
 * of the writer at a small CPU cost, where a JavaScript producer on the same two cores could not. Keys are
 * null (the writer does not need them); event ids repeat, which the lake writer does not look at.
 */
function producerPerformance(broker: KafkaInstance, payload: string, records: number, perSecond: number) {
  return spawn(
    componentPaths().java,
    broker.javaToolArgs('org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      TOPIC,
      '--num-records',
      String(records),
      '--payload-file',
      payload,
      '--throughput',
      String(perSecond),
      '--producer-props',
      `bootstrap.servers=${broker.bootstrap}`,
      'acks=1',
      'compression.type=gzip',
      'linger.ms=20',
      'batch.size=262144',
    ]),
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

async function topicEnd(kafka: ReturnType<typeof testKafka>): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(TOPIC)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** RSS growth per minute, fitted over every sample (the GC's sawtooth averages out; a leak does not). */
function slopePerMinute(samples: Array<{ seconds: number; rssMiB: number }>): number {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.seconds, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssMiB, 0) / n;
  const sxy = samples.reduce((a, s) => a + (s.seconds - mx) * (s.rssMiB - my), 0);
  const sxx = samples.reduce((a, s) => a + (s.seconds - mx) ** 2, 0);
  return Number(((sxy / (sxx || 1)) * 60).toFixed(2));
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function main(): Promise<void> {
  const [kafkaServer, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
  const kafka = testKafka(kafkaServer);
  try {
    await createTopicWithDlq(kafka, TOPIC, PARTITIONS);
    const work = mkdtempSync(join(tmpdir(), 'bench-soak-'));
    const payload = join(work, 'payload.jsonl');
    writeFileSync(
      payload,
      `${Array.from({ length: 20_000 }, () => JSON.stringify(sampleEvent())).join('\n')}\n`,
    );
    log(`producing a backlog of ${BACKLOG.toLocaleString('en')} events`);
    const backlog = producerPerformance(kafkaServer, payload, BACKLOG, -1);
    if ((await exited(backlog)) !== 0) throw new Error('ProducerPerformance failed to write the backlog');
    const writer = await spawnWriter({
      kafka: kafkaServer,
      s3,
      bucket: 'soak-lake',
      topic: TOPIC,
      groupId: GROUP,
      env: {
        LAKE_WRITER_BATCH_MAX_EVENTS: '20000',
        LAKE_WRITER_GZIP_LEVEL: '1',
        LAKE_WRITER_BATCH_MAX_AGE_MS: '5000',
      },
    });
    await waitReady(writer, 'the writer to join', 50);
    const started = Date.now();
    const endAt = started + MINUTES * 60_000;
    // The producer keeps the backlog up while the writer drains it.
    const more = Math.round((PRODUCE_RATE * MINUTES * 60_000) / 1000);
    const producing = producerPerformance(kafkaServer, payload, more, PRODUCE_RATE);

    const samples: Array<{ seconds: number; rssMiB: number; written: number; lag: number }> = [];
    while (Date.now() < endAt) {
      await sleep(SAMPLE_MS);
      const rss = await metricValue(writer.opsPort, 'process_resident_memory_bytes');
      const written = await metricValue(writer.opsPort, 'lake_writer_records_written_total');
      const lag = await groupLag(kafka, GROUP, TOPIC);
      const seconds = Math.round((Date.now() - started) / 1000);
      samples.push({ seconds, rssMiB: mib(rss), written, lag });
      const rate = written / Math.max(1, seconds);
      log(
        `${seconds} s: RSS ${mib(rss)} MiB, ${written.toLocaleString('en')} written (${Math.round(rate)}/s), lag ${lag.toLocaleString('en')}`,
      );
    }
    producing.kill('SIGTERM');
    await exited(producing);
    const produced = await topicEnd(kafka);
    const written = samples.at(-1)?.written ?? 0;
    if ((await writer.terminate()) !== 0) throw new Error('the writer did not stop cleanly');
    const seconds = (samples.at(-1)?.seconds ?? 1) || 1;
    // The first sample is the start: the process has loaded, joined and filled its first buffers.
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const peak = samples.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
    const starved = samples.filter((s) => s.lag === 0).length;
    const firstHalf = samples.slice(0, Math.floor(samples.length / 2)).map((s) => s.rssMiB);
    const secondHalf = samples.slice(Math.floor(samples.length / 2)).map((s) => s.rssMiB);
    const figures = [
      { name: 'writer RSS at the start (first 5 s sample)', value: first.rssMiB, unit: 'MiB' },
      {
        name: `writer RSS peak (at ${peak.seconds} s)`,
        value: peak.rssMiB,
        unit: 'MiB',
        reference: 'RSS at the start',
        reference_value: first.rssMiB,
        ratio: Number((peak.rssMiB / first.rssMiB).toFixed(3)),
      },
      {
        name: `writer RSS at the end (${seconds} s)`,
        value: last.rssMiB,
        unit: 'MiB',
        reference: 'RSS at the start',
        reference_value: first.rssMiB,
        ratio: Number((last.rssMiB / first.rssMiB).toFixed(3)),
      },
      {
        name: 'writer RSS median, second half of the run (growth would show against the first half)',
        value: median(secondHalf),
        unit: 'MiB',
        reference: 'RSS median, first half',
        reference_value: median(firstHalf),
        ratio: Number((median(secondHalf) / median(firstHalf)).toFixed(3)),
      },
      {
        name: 'writer RSS trend over the run (least-squares slope)',
        value: slopePerMinute(samples),
        unit: 'MiB/min',
      },
      {
        name: 'events written per second over the run',
        value: Math.round(written / seconds),
        unit: 'events/s',
      },
      { name: 'events produced (backlog and while writing)', value: produced, unit: 'events' },
      {
        name: `${SAMPLE_MS / 1000} s samples with no backlog (the writer was waiting for events, not at full speed)`,
        value: starved,
        unit: 'samples',
        reference: 'samples',
        reference_value: samples.length,
        ratio: Number((starved / samples.length).toFixed(3)),
      },
    ];
    const result = {
      benchmark: 'lake-writer-soak',
      date: new Date().toISOString(),
      machine: benchMachine('broker, S3 server, producers and writer on the same machine'),
      figures,
      samples,
    };
    writeFileSync(
      join(repoRoot, 'bench/results/lake-writer-soak.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    log('wrote bench/results/lake-writer-soak.json');
  } finally {
    await Promise.all([kafkaServer.destroy(), s3.destroy()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
