/**
 * One Kafka client publishing the payload file's events to one topic, in a process of its own (run.ts starts it):
 *   node --import tsx bench/kafka-clients/driver.ts <client> <bootstrap> <topic> <payload.jsonl> <events> [clients dir]
 * Every client is an idempotent producer with acks=all and gzip, and keys each record by its user_id. The clock and
 * the CPU count start once the producer is connected and stop when the last record is acknowledged. Prints one
 * line of JSON: events, seconds, cpu (user+system µs, the process's every thread: librdkafka's included).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '@spotify-pipeline/shared';
import { CompressionTypes, createKafka } from '@spotify-pipeline/shared/kafka';
import { createIdempotentProducer, createPublisher } from '@spotify-pipeline/shared/publisher';

type ClientName = 'kafkajs' | 'publisher' | 'confluent' | 'platformatic';

interface Record_ {
  key: string;
  keyBytes: Buffer;
  json: string;
  value: Buffer;
}

/** Sends `events` records, cycling through the payload: `send` takes a chunk and resolves once it is acknowledged. */
async function pump(
  events: number,
  chunk: number,
  outstanding: number,
  send: (from: number, to: number) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let from = 0; from < events; from += chunk) {
    const p = send(from, Math.min(events, from + chunk)).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= outstanding) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

const slice = (records: Record_[], from: number, to: number) => {
  const out: Record_[] = [];
  for (let i = from; i < to; i++) out.push(records[i % records.length]!);
  return out;
};

interface Run {
  /** Connects; returns the function that publishes every event and resolves once all are acknowledged, and a close. */
  connect(): Promise<{ publish(): Promise<void>; close(): Promise<void> }>;
}

function kafkajsClient(bootstrap: string, topic: string, records: Record_[], events: number): Run {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const kafka = createKafka(
    { KAFKA_BROKERS: [bootstrap], KAFKA_CLIENT_ID: 'bench', KAFKA_SSL: false },
    logger,
  );
  return {
    async connect() {
      const producer = createIdempotentProducer(kafka);
      await producer.connect();
      return {
        // 5,000-record sends, two at a time: kafkajs holds the second until the first is acknowledged (one request
        // in flight per broker), but it is built and compressed meanwhile.
        publish: () =>
          pump(events, 5_000, 2, async (from, to) => {
            const messages = slice(records, from, to).map((r) => ({ key: r.key, value: r.value }));
            await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.GZIP });
          }),
        close: () => producer.disconnect(),
      };
    },
  };
}

function publisherClient(bootstrap: string, topic: string, records: Record_[], events: number): Run {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const kafka = createKafka(
    { KAFKA_BROKERS: [bootstrap], KAFKA_CLIENT_ID: 'bench', KAFKA_SSL: false },
    logger,
  );
  return {
    async connect() {
      const producer = createIdempotentProducer(kafka);
      await producer.connect();
      // The publisher's defaults, as the sources run it: 5,000 records or 2 MiB a batch, 20 ms linger, 2 queued.
      const publisher = createPublisher({
        producer,
        logger,
        source: 'bench',
        topics: { events: topic, deadLetter: `${topic}.dlq`, artist: 'x.a', album: 'x.b', track: 'x.t' },
      });
      return {
        async publish() {
          for (let i = 0; i < events; i++) {
            const r = records[i % records.length]!;
            if (!publisher.publishSerialized(r.key, r.json)) await publisher.drain();
          }
          await publisher.flush();
        },
        close: () => publisher.close(),
      };
    },
  };
}

/** Loads a package from the bench's own npm project outside the clone (scripts/install-components.sh kafka-clients). */
function fromClientsDir<T>(dir: string, name: string): T {
  return createRequire(join(dir, 'package.json'))(name) as T;
}

interface ConfluentModule {
  KafkaJS: {
    Kafka: new (
      config: Record<string, unknown>,
    ) => {
      producer(config: Record<string, unknown>): {
        connect(): Promise<void>;
        send(args: { topic: string; messages: Array<{ key: Buffer; value: Buffer }> }): Promise<unknown>;
        flush(args?: { timeout: number }): Promise<void>;
        disconnect(): Promise<void>;
      };
    };
    CompressionTypes: { GZIP: string };
    logLevel: { ERROR: number };
  };
}

function confluentClient(
  dir: string,
  bootstrap: string,
  topic: string,
  records: Record_[],
  events: number,
): Run {
  const { KafkaJS } = fromClientsDir<ConfluentModule>(dir, '@confluentinc/kafka-javascript');
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [bootstrap], clientId: 'bench', logLevel: KafkaJS.logLevel.ERROR },
  });
  return {
    async connect() {
      // librdkafka batches by itself: send() hands records to its queue and resolves on their acknowledgement.
      // Idempotence allows up to 5 requests in flight per broker; batches of up to 10,000 records or 1 MB,
      // 10 ms linger.
      const producer = kafka.producer({
        kafkaJS: {
          idempotent: true,
          acks: -1,
          compression: KafkaJS.CompressionTypes.GZIP,
          maxInFlightRequests: 5,
        },
        'linger.ms': 10,
        'batch.num.messages': 10_000,
        'batch.size': 1_000_000,
      });
      await producer.connect();
      return {
        // 1,000-record sends, up to 100 awaiting acknowledgement (100,000 records queued in librdkafka).
        publish: () =>
          pump(events, 1_000, 100, async (from, to) => {
            const messages = slice(records, from, to).map((r) => ({ key: r.keyBytes, value: r.value }));
            await producer.send({ topic, messages });
          }),
        close: () => producer.disconnect(),
      };
    },
  };
}

interface PlatformaticModule {
  Producer: new (
    options: Record<string, unknown>,
  ) => {
    send(args: { messages: Array<{ topic: string; key: Buffer; value: Buffer }> }): Promise<unknown>;
    close(): Promise<void>;
  };
  compatibilityPartitioner: unknown;
}

async function platformaticClient(
  dir: string,
  bootstrap: string,
  topic: string,
  records: Record_[],
  events: number,
): Promise<Run> {
  // An ES module: imported by its file, resolved from the bench's npm project.
  const entry = createRequire(join(dir, 'package.json')).resolve('@platformatic/kafka');
  const { Producer, compatibilityPartitioner } = (await import(
    pathToFileURL(entry).href
  )) as PlatformaticModule;
  return {
    async connect() {
      // Idempotent implies acks=all and one request in flight per connection here too. Its default partitioner
      // is not the Java client's (murmur2 without the sign mask); the compatibility one keeps kafkajs' mapping.
      const producer = new Producer({
        clientId: 'bench',
        bootstrapBrokers: [bootstrap],
        idempotent: true,
        acks: -1,
        compression: 'gzip',
        partitioner: compatibilityPartitioner,
      });
      // The first send fetches metadata and the producer id: one record, before the clock starts.
      const first = records[0]!;
      await producer.send({ messages: [{ topic, key: first.keyBytes, value: first.value }] });
      return {
        // 5,000-record sends, two at a time (the second is encoded and compressed while the first is in flight).
        publish: () =>
          pump(events - 1, 5_000, 2, async (from, to) => {
            const messages = slice(records, from + 1, to + 1).map((r) => ({
              topic,
              key: r.keyBytes,
              value: r.value,
            }));
            await producer.send({ messages });
          }),
        close: () => producer.close(),
      };
    },
  };
}

async function main(): Promise<void> {
  const [client, bootstrap, topic, payload, eventsArg, clientsDir = ''] = process.argv.slice(2);
  if (!client || !bootstrap || !topic || !payload || !eventsArg)
    throw new Error('usage: driver.ts <client> <bootstrap> <topic> <payload.jsonl> <events> [clients dir]');
  const events = Number(eventsArg);
  const records: Record_[] = readFileSync(payload, 'utf8')
    .trimEnd()
    .split('\n')
    .map((json) => {
      const key = (JSON.parse(json) as { user_id: string }).user_id;
      return { key, keyBytes: Buffer.from(key), json, value: Buffer.from(json) };
    });
  const runs: Record<ClientName, () => Run | Promise<Run>> = {
    kafkajs: () => kafkajsClient(bootstrap, topic, records, events),
    publisher: () => publisherClient(bootstrap, topic, records, events),
    confluent: () => confluentClient(clientsDir, bootstrap, topic, records, events),
    platformatic: () => platformaticClient(clientsDir, bootstrap, topic, records, events),
  };
  const make = runs[client as ClientName];
  if (!make) throw new Error(`unknown client ${client}`);
  const run = await (await make()).connect();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await run.publish();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await run.close();
  console.log(
    JSON.stringify({
      client,
      node: process.versions.node,
      events,
      seconds,
      cpuMicros: cpu.user + cpu.system,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

main().then(
  // librdkafka's threads can keep a process alive after disconnect: the result is printed, so leave.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
