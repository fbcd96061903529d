/**
 * Producer benchmark: events/s of one simulator process into the local broker (idempotent, acks=all, gzip,
 * the contract's JSON), beside Kafka's own Java ProducerPerformance sending the same records (a payload
 * file of simulator events) with the same acks and compression; then generation alone, and the peak RSS
 * of 10 thousand against 10 million listeners. Writes bench/results/producer.json.
 * Run: npm run bench -- producer   (BENCH_EVENTS overrides the number of events per run)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchMachine,
  componentPaths,
  type KafkaInstance,
  repoRoot,
  startKafka,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { ensureContractTopics } from '@spotify-pipeline/shared/publisher';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RSS_EVENTS = Number(process.env.BENCH_RSS_EVENTS ?? 1_000_000);
const PARTITIONS = 6;
const LISTENERS = 100_000;
const root = repoRoot;
const cli = join(root, 'services/simulator/src/cli.ts');
const log = (msg: string) => console.log(`[bench producer] ${msg}`);

interface SimulatorRun {
  finished: { events: number; seconds: number; eventsPerSecond: number };
  started: { activeSessions: number; eventsPerSecond: number };
  maxRssKb: number;
}

/** Runs the simulator CLI from source as its own process; returns its start/finish log lines and peak RSS. */
function runSimulator(args: string[], env: Record<string, string> = {}): Promise<SimulatorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/time',
      [
        '-f',
        'MAXRSS_KB=%M',
        process.execPath,
        '--conditions=source',
        '--import',
        'tsx',
        cli,
        '--progress-seconds',
        '3600',
        ...args,
      ],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = stderr.split('\n');
      const find = (msg: string) => lines.map((l) => tryJson(l)).find((l) => l?.msg === msg);
      const finished = find('simulation finished');
      const started = find('simulation started');
      const rss = /MAXRSS_KB=(\d+)/.exec(stderr);
      if (code !== 0 || !finished || !started || !rss) {
        reject(new Error(`simulator ${args.join(' ')} failed (exit ${code}):\n${stderr.slice(-3000)}`));
        return;
      }
      resolve({ finished, started, maxRssKb: Number(rss[1]) } as unknown as SimulatorRun);
    });
  });
}

function tryJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

async function topicCount(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

async function main(): Promise<void> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const work = mkdtempSync(join(tmpdir(), 'bench-producer-'));
  let broker: KafkaInstance | undefined;
  try {
    broker = await startKafka({ heapMb: 1024 });
    const kafka = createKafka(
      { KAFKA_BROKERS: broker.brokers, KAFKA_CLIENT_ID: 'bench', KAFKA_SSL: false },
      logger,
    );
    await ensureContractTopics(kafka, { partitions: PARTITIONS, topicPrefix: 'bench.', logger });
    await ensureContractTopics(kafka, { partitions: PARTITIONS, topicPrefix: 'java.', logger });
    const naturalRate = (LISTENERS * 80) / 86_400;

    log('payload file: 100,000 simulator events for the Java tool');
    const payload = join(work, 'payload.jsonl');
    await runSimulator(['--out', payload, '--listeners', String(LISTENERS), '--max-events', '100000']);
    const lines = readFileSync(payload, 'utf8').trimEnd().split('\n');
    const recordBytes = Math.round(lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length);

    log(`simulator -> Kafka: ${EVENTS} events, ${LISTENERS} listeners, acks=all, gzip, idempotent`);
    const node = await runSimulator(
      [
        '--listeners',
        String(LISTENERS),
        '--max-events',
        String(EVENTS),
        '--no-catalog',
        '--topic-prefix',
        'bench.',
      ],
      { KAFKA_BROKERS: broker.bootstrap },
    );
    const delivered = await topicCount(kafka, 'bench.listening-events');
    if (delivered !== EVENTS) throw new Error(`expected ${EVENTS} events on the topic, found ${delivered}`);

    log('Kafka ProducerPerformance (Java) with the same payload, acks=all, gzip');
    const paths = componentPaths();
    const javaOut = execFileSync(
      paths.java,
      broker.javaToolArgs('org.apache.kafka.tools.ProducerPerformance', [
        '--topic',
        'java.listening-events',
        '--num-records',
        String(EVENTS),
        '--payload-file',
        payload,
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${broker.bootstrap}`,
        'acks=all',
        'compression.type=gzip',
        'enable.idempotence=true',
      ]),
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(javaOut.trim().split('\n').at(-1) ?? '');
    if (!summary) throw new Error(`could not read ProducerPerformance output:\n${javaOut.slice(-2000)}`);
    const javaRate = Number(summary[2]);

    log('generation and serialization alone (--dry-run)');
    const dry = await runSimulator([
      '--dry-run',
      '--listeners',
      String(LISTENERS),
      '--max-events',
      String(EVENTS),
    ]);

    log('peak RSS: 10 thousand and 10 million listeners, backfill into /dev/null');
    const rssArgs = ['--out', '/dev/null', '--max-events', String(RSS_EVENTS)];
    const small = await runSimulator([...rssArgs, '--listeners', '10000']);
    const sameRate = await runSimulator([
      ...rssArgs,
      '--listeners',
      '10000000',
      '--rate',
      String((10_000 * 80) / 86_400),
    ]);
    const large = await runSimulator([...rssArgs, '--listeners', '10000000']);

    const nodeRate = Math.round(node.finished.eventsPerSecond);
    const mb = (kb: number) => Math.round(kb / 1024);
    const result = {
      benchmark: 'producer',
      date: new Date().toISOString(),
      machine: benchMachine('broker and producer on the same machine'),
      figures: [
        {
          name: `events per second, one simulator process into Kafka (idempotent, acks=all, gzip, ${recordBytes}-byte contract JSON, ${PARTITIONS} partitions)`,
          value: nodeRate,
          unit: 'events/s',
          reference:
            'Kafka Java ProducerPerformance, same broker, same records (payload file of simulator events), acks=all, gzip, idempotent',
          reference_value: Math.round(javaRate),
          ratio: Number((nodeRate / javaRate).toFixed(3)),
        },
        {
          name: 'events per second into Kafka against the 100k/s/process aim',
          value: nodeRate,
          unit: 'events/s',
          reference: 'aim',
          reference_value: 100_000,
          ratio: Number((nodeRate / 100_000).toFixed(3)),
        },
        {
          name: 'generation and serialization alone (--dry-run), per event',
          value: Number((1e6 / dry.finished.eventsPerSecond).toFixed(2)),
          unit: 'µs/event',
          reference: 'budget from PERFORMANCE.md',
          reference_value: 10,
          ratio: Number((1e6 / dry.finished.eventsPerSecond / 10).toFixed(3)),
        },
        {
          name: `peak RSS, 10 million listeners, backfill at the 10-thousand-listener rate (${sameRate.started.activeSessions} active sessions)`,
          value: mb(sameRate.maxRssKb),
          unit: 'MiB',
          reference: `peak RSS, 10 thousand listeners, natural rate (${small.started.activeSessions} active sessions)`,
          reference_value: mb(small.maxRssKb),
          ratio: Number((sameRate.maxRssKb / small.maxRssKb).toFixed(3)),
        },
        {
          name: `peak RSS, 10 million listeners at their natural rate (80 events/listener/day: ${large.started.activeSessions} active sessions)`,
          value: mb(large.maxRssKb),
          unit: 'MiB',
          reference: 'peak RSS, 10 thousand listeners, natural rate',
          reference_value: mb(small.maxRssKb),
          ratio: Number((large.maxRssKb / small.maxRssKb).toFixed(3)),
        },
      ],
      notes: {
        events_per_run: EVENTS,
        rss_events_per_run: RSS_EVENTS,
        record_bytes: recordBytes,
        delivered_events_checked: delivered,
        java_summary: javaOut.trim().split('\n').at(-1),
        natural_rate_100k_listeners: naturalRate,
      },
    };
    writeFileSync(join(root, 'bench/results/producer.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(JSON.stringify(result.figures, null, 2));
  } finally {
    await broker?.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
