/**
 * Kafka clients side by side (issue 12): the same simulator events, the same guarantees (idempotent producer,
 * acks=all, gzip, keyed by user_id, 6 partitions), published by kafkajs (bare, and through the shared publisher as
 * the sources run it), @confluentinc/kafka-javascript (KafkaJS API over librdkafka) and @platformatic/kafka, each
 * in a process of its own (driver.ts) and to a fresh topic, beside Kafka's Java ProducerPerformance on the same
 * broker in the same round. Rounds repeat in alternating order; each figure is the round with the median ratio to
 * Java. Delivery is checked: the topic's end offsets add up to the events sent. Writes bench/results/kafka-clients.json.
 * Run: npm run bench -- kafka-clients   (BENCH_EVENTS: events per client per round; BENCH_ROUNDS: rounds)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchMachine,
  cacheDir,
  componentPaths,
  componentVersions,
  type KafkaInstance,
  repoRoot,
  startKafka,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { type Admin, createKafka } from '@spotify-pipeline/shared/kafka';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAYLOAD_EVENTS = 100_000;
const PARTITIONS = 6;
const log = (msg: string) => console.log(`[bench kafka-clients] ${msg}`);

const versions = componentVersions();
const node24Version = versions.NODE_TEST_VERSIONS?.split(' ').find((v) => v.startsWith('24.'));
const node24 = join(cacheDir(), `node-${node24Version}`, 'bin/node');
const clientsDir = join(
  cacheDir(),
  `kafka-clients-confluent-${versions.CONFLUENT_KAFKA_JS_VERSION}-platformatic-${versions.PLATFORMATIC_KAFKA_VERSION}-node-${process.versions.modules}`,
);

interface Variant {
  name: string;
  client: 'kafkajs' | 'publisher' | 'confluent' | 'platformatic' | 'java';
  node?: string;
  describe: string;
}

const VARIANTS: Variant[] = [
  {
    name: 'java',
    client: 'java',
    describe: 'Kafka Java ProducerPerformance (no keys), defaults + acks=all, gzip, idempotent',
  },
  {
    name: 'kafkajs',
    client: 'kafkajs',
    describe:
      'kafkajs 2.2.4 through shared/kafka.ts (createIdempotentProducer), 5,000-record sends, 2 outstanding',
  },
  {
    name: 'publisher',
    client: 'publisher',
    describe:
      'kafkajs through the shared publisher, its defaults (5,000 records/2 MiB, 20 ms linger): what the sources run',
  },
  {
    name: 'confluent',
    client: 'confluent',
    describe: `@confluentinc/kafka-javascript ${versions.CONFLUENT_KAFKA_JS_VERSION} (KafkaJS API), 5 in flight, linger 10 ms, 10,000-record/1 MB batches`,
  },
  {
    name: 'platformatic',
    client: 'platformatic',
    node: node24,
    describe: `@platformatic/kafka ${versions.PLATFORMATIC_KAFKA_VERSION} on Node ${node24Version}, 5,000-record sends, 2 outstanding`,
  },
  {
    name: 'kafkajs-node24',
    client: 'kafkajs',
    node: node24,
    describe: `kafkajs as above on Node ${node24Version} (platformatic's runtime, for comparison)`,
  },
];

interface Measured {
  events: number;
  seconds: number;
  cpuMicros: number;
  maxRssMb?: number;
  node?: string;
}

function runDriver(variant: Variant, bootstrap: string, topic: string, payload: string): Promise<Measured> {
  const node = variant.node ?? process.execPath;
  const args = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'bench/kafka-clients/driver.ts')];
  return new Promise((resolve, reject) => {
    const child = spawn(
      node,
      [...args, variant.client, bootstrap, topic, payload, String(EVENTS), clientsDir],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`${variant.name} failed (exit ${code}):\n${(out + err).slice(-3000)}`));
        return;
      }
      resolve(JSON.parse(line) as Measured);
    });
  });
}

/** ProducerPerformance under /usr/bin/time: its CPU time includes the JVM's start and JIT compilation. */
function runJava(broker: KafkaInstance, topic: string, payload: string): Measured {
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'CPU_SECONDS=%U %S',
      componentPaths().java,
      ...broker.javaToolArgs('org.apache.kafka.tools.ProducerPerformance', [
        '--topic',
        topic,
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
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = run.stdout;
  const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(out.trim().split('\n').at(-1) ?? '');
  const cpu = /CPU_SECONDS=([\d.]+) ([\d.]+)/.exec(run.stderr);
  if (run.status !== 0 || !summary || !cpu)
    throw new Error(`ProducerPerformance failed (exit ${run.status}):\n${(out + run.stderr).slice(-2000)}`);
  const cpuMicros = (Number(cpu[1]) + Number(cpu[2])) * 1e6;
  return { events: EVENTS, seconds: EVENTS / Number(summary[2]), cpuMicros };
}

/** The simulator's events as the Java tool's payload file: one JSON event per line. */
function writePayload(path: string): void {
  execFileSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      join(repoRoot, 'services/simulator/src/cli.ts'),
      '--progress-seconds',
      '3600',
      '--out',
      path,
      '--listeners',
      '100000',
      '--max-events',
      String(PAYLOAD_EVENTS),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** A fresh topic, once each partition has a leader (kafkajs' own wait can give up on a fresh topic). */
async function createTopic(admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: false,
  });
  for (let attempt = 0; ; attempt++) {
    const led = await admin
      .fetchTopicMetadata({ topics: [topic] })
      .then(
        (m) =>
          m.topics[0]!.partitions.length === PARTITIONS &&
          m.topics[0]!.partitions.every((p) => p.leader >= 0),
      )
      .catch(() => false);
    if (led) return;
    if (attempt > 100) throw new Error(`${topic} has no leaders after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const median = <T>(xs: T[], by: (x: T) => number): T =>
  [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(join(clientsDir, '.done')))
    throw new Error(`${clientsDir} is missing: run scripts/install-components.sh kafka-clients`);
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const work = mkdtempSync(join(tmpdir(), 'bench-kafka-clients-'));
  let broker: KafkaInstance | undefined;
  try {
    broker = await startKafka({ heapMb: 1024, autoCreateTopics: false });
    const kafka = createKafka(
      { KAFKA_BROKERS: broker.brokers, KAFKA_CLIENT_ID: 'bench', KAFKA_SSL: false },
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    const payload = join(work, 'payload.jsonl');
    log(
      `payload: ${PAYLOAD_EVENTS} simulator events; ${EVENTS} events per client per round, ${ROUNDS} rounds`,
    );
    writePayload(payload);
    const lines = readFileSync(payload, 'utf8').trimEnd().split('\n');
    const recordBytes = Math.round(lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length);

    const rounds: Array<Record<string, Measured & { rate: number; ratio: number }>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      const measured: Record<string, Measured> = {};
      for (const variant of order) {
        const topic = `r${round}.${variant.name}`;
        await createTopic(admin, topic);
        const m =
          variant.client === 'java'
            ? runJava(broker, topic, payload)
            : await runDriver(variant, broker.bootstrap, topic, payload);
        const offsets = await admin.fetchTopicOffsets(topic);
        const delivered = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
        if (delivered !== EVENTS)
          throw new Error(`${variant.name}: ${delivered} records on ${topic}, expected ${EVENTS}`);
        measured[variant.name] = m;
        log(
          `round ${round + 1} ${variant.name}: ${Math.round(m.events / m.seconds)} events/s, ` +
            `${(m.cpuMicros / m.events).toFixed(1)} µs CPU/event, ${delivered} records on the topic`,
        );
        await admin.deleteTopics({ topics: [topic] });
      }
      const java = measured.java!;
      const javaRate = java.events / java.seconds;
      rounds.push(
        Object.fromEntries(
          Object.entries(measured).map(([name, m]) => {
            const rate = m.events / m.seconds;
            return [name, { ...m, rate, ratio: rate / javaRate }];
          }),
        ),
      );
    }
    await admin.disconnect();

    const figures = VARIANTS.filter((v) => v.client !== 'java').flatMap((v) => {
      const pick = median(rounds, (r) => r[v.name]!.ratio);
      const mine = pick[v.name]!;
      const java = pick.java!;
      const cpu = median(rounds, (r) => r[v.name]!.cpuMicros / r[v.name]!.events)[v.name]!;
      const publisherCpu = median(rounds, (r) => r.publisher!.cpuMicros / r.publisher!.events).publisher!;
      const cpuPerEvent = cpu.cpuMicros / cpu.events;
      const publisherPerEvent = publisherCpu.cpuMicros / publisherCpu.events;
      return [
        {
          name: `events per second: ${v.describe}`,
          value: Math.round(mine.rate),
          unit: 'events/s',
          reference:
            'Kafka Java ProducerPerformance, same broker, same round, same records, acks=all, gzip, idempotent',
          reference_value: Math.round(java.rate),
          ratio: Number(mine.ratio.toFixed(3)),
        },
        {
          name: `CPU time per event (process, all threads): ${v.name}`,
          value: Number(cpuPerEvent.toFixed(2)),
          unit: 'µs/event',
          reference: 'kafkajs through the shared publisher (what the sources run)',
          reference_value: Number(publisherPerEvent.toFixed(2)),
          ratio: Number((cpuPerEvent / publisherPerEvent).toFixed(3)),
        },
      ];
    });
    const result = {
      benchmark: 'kafka-clients',
      date: new Date().toISOString(),
      machine: benchMachine(
        'broker, Java tool and clients on the same machine',
        `Node ${process.versions.node} (platformatic and the control on Node ${node24Version})`,
      ),
      figures,
      notes: {
        events_per_client_per_round: EVENTS,
        rounds: ROUNDS,
        record_bytes: recordBytes,
        partitions: PARTITIONS,
        per_round: rounds.map((r) =>
          Object.fromEntries(
            Object.entries(r).map(([name, m]) => [
              name,
              {
                events_per_second: Math.round(m.rate),
                ratio_to_java: Number(m.ratio.toFixed(3)),
                cpu_us_per_event: Number((m.cpuMicros / m.events).toFixed(2)),
                max_rss_mb: m.maxRssMb ?? null,
              },
            ]),
          ),
        ),
      },
    };
    writeFileSync(join(repoRoot, 'bench/results/kafka-clients.json'), `${JSON.stringify(result, null, 2)}\n`);
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
