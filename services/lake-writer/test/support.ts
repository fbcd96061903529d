import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  createTopicWithDlq,
  freePort,
  type KafkaInstance,
  type MemoryCgroup,
  makeWorkdir,
  repoRoot,
  type S3Instance,
  startProcess,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createKafka, Partitioners } from '@spotify-pipeline/shared/kafka';
import { bronzeObjectKey, parseBronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';
import {
  createObjectStore,
  listAllObjects,
  type ObjectStoreClient,
} from '@spotify-pipeline/shared/object-store';
import { parquetReadObjects } from 'hyparquet';
import { sampleEvent } from './sample-event.js';

type Kafka = ReturnType<typeof createKafka>;
const gunzipAsync = promisify(gunzip);
const quietLogger = createLogger({ name: 'lake-writer-test', level: 'warn' });
const mainPath = join(repoRoot, 'services/lake-writer/src/main.ts');
const compiledMainPath = join(repoRoot, 'services/lake-writer/dist/src/main.js');
const logs = makeWorkdir('lake-writer-logs');

export function testKafka(kafka: KafkaInstance): Kafka {
  return createKafka(
    { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'lake-writer-test', KAFKA_SSL: false },
    quietLogger,
  );
}

export function testStore(s3: S3Instance): ObjectStoreClient {
  return createObjectStore({
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: 'unused',
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
}

export interface WriterProcess {
  opsPort: number;
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  terminate(): Promise<number | null>;
  exited(): boolean;
  tail(): string;
}

/** The real service as its own process (`node --import tsx src/main.ts`), so SIGKILL is a real crash. */
export async function spawnWriter(options: {
  kafka: KafkaInstance;
  s3: S3Instance;
  bucket: string;
  topic: string;
  groupId: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof` for the benchmark. */
  nodeArgs?: string[];
  /**
   * Run the compiled entry point (`dist/src/main.js`, built by `tsc -b`) as the image does, without tsx's
   * compiler beside it: what a memory limit should measure.
   */
  compiled?: boolean;
  /** Start it inside this memory cgroup, as a container under its limit. */
  cgroup?: MemoryCgroup;
  /** Another writer's entry point (TypeScript, run from source), e.g. an older revision's for a benchmark. */
  entry?: string;
}): Promise<WriterProcess> {
  const opsPort = await freePort();
  const nodeArgs = options.compiled
    ? [...(options.nodeArgs ?? []), compiledMainPath]
    : [...(options.nodeArgs ?? []), '--conditions=source', '--import', 'tsx', options.entry ?? mainPath];
  const command = options.cgroup
    ? options.cgroup.wrap(process.execPath, nodeArgs)
    : { command: process.execPath, args: nodeArgs };
  const proc = startProcess({
    name: 'lake-writer',
    ...command,
    cwd: repoRoot,
    logFile: join(logs.path, `${options.groupId}-${opsPort}.log`),
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: options.kafka.bootstrap,
      LAKE_ENDPOINT: options.s3.endpoint,
      LAKE_BUCKET: options.bucket,
      LAKE_REGION: options.s3.region,
      LAKE_ACCESS_KEY: options.s3.accessKey,
      LAKE_SECRET_KEY: options.s3.secretKey,
      LAKE_WRITER_TOPIC: options.topic,
      LAKE_WRITER_DLQ_TOPIC: `${options.topic}.dlq`,
      LAKE_WRITER_GROUP_ID: options.groupId,
      LAKE_WRITER_SESSION_TIMEOUT_MS: '6000',
      LAKE_WRITER_RETRY_MAX_MS: '2000',
      LAKE_WRITER_PUT_TIMEOUT_MS: '5000',
      OPS_PORT: String(opsPort),
      ...options.env,
    },
  });
  const exitCode = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
  return {
    opsPort,
    kill: () => proc.kill(),
    terminate: async () => {
      await proc.stop(30_000);
      return exitCode;
    },
    exited: () => proc.exited(),
    tail: () => proc.tail(40),
  };
}

/** Produces `count` contract-valid events in batches; returns their event_ids. */
export async function produceEvents(
  kafka: Kafka,
  topic: string,
  count: number,
  options: { perSecond?: number; eventTs?: () => string } = {},
): Promise<string[]> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const ids: string[] = [];
  const batch = 500;
  const started = Date.now();
  try {
    for (let sent = 0; sent < count; sent += batch) {
      const messages = [];
      for (let i = sent; i < Math.min(count, sent + batch); i++) {
        const event = sampleEvent(options.eventTs ? { event_ts: options.eventTs() } : {});
        ids.push(event.event_id);
        messages.push({ key: event.user_id, value: JSON.stringify(event) });
      }
      await producer.send({ topic, acks: -1, messages });
      if (options.perSecond) {
        const due = started + ((sent + batch) / options.perSecond) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    }
  } finally {
    await producer.disconnect();
  }
  return ids;
}

export interface LakeContents {
  objects: number;
  rows: number;
  /** event_id -> number of objects it appears in. */
  copies: Map<string, number>;
  rowsOf: Array<Record<string, unknown>>;
}

/** Reads every bronze object of a topic back, checking each name parses and matches its rows. */
export async function readLake(
  client: ObjectStoreClient,
  bucket: string,
  topic: string,
): Promise<LakeContents> {
  const listed = await listAllObjects(client, bucket, `bronze/${topic}/`);
  const copies = new Map<string, number>();
  const rowsOf: Array<Record<string, unknown>> = [];
  let rowCount = 0;
  for (const { name } of listed) {
    const parsed = parseBronzeObjectKey(name);
    if (!parsed) throw new Error(`unexpected object name ${name}`);
    const stream = await client.getObject(bucket, bronzeObjectKey(parsed));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rows =
      parsed.format === 'parquet'
        ? await parquetReadObjects({ file: new Uint8Array(body).buffer })
        : (await gunzipAsync(body))
            .toString('utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const row of rows) {
      const id = row.event_id as string;
      copies.set(id, (copies.get(id) ?? 0) + 1);
      if (rowsOf.length < 100_000) rowsOf.push(row);
      if (row._partition !== parsed.partition) throw new Error(`${name} holds a row of another partition`);
      const offset = BigInt(row._offset as number | bigint);
      if (offset < BigInt(parsed.firstOffset) || offset > BigInt(parsed.lastOffset))
        throw new Error(`${name} holds offset ${offset} outside its name`);
      const eventTs = row.event_ts instanceof Date ? row.event_ts.toISOString() : (row.event_ts as string);
      if (eventTs.slice(0, 10) !== parsed.date) throw new Error(`${name}: wrong date`);
    }
    rowCount += rows.length;
  }
  return { objects: listed.length, rows: rowCount, copies, rowsOf };
}

/** Every row of a catalog topic's bronze objects, in offset order, each with the key of its object. */
export async function readCatalog(
  client: ObjectStoreClient,
  bucket: string,
  topic: string,
): Promise<Array<Record<string, unknown> & { key: string }>> {
  const rows: Array<Record<string, unknown> & { key: string }> = [];
  for (const { name } of await listAllObjects(client, bucket, `bronze/${topic}/`)) {
    const parsed = parseBronzeObjectKey(name);
    if (!parsed) throw new Error(`unexpected object name ${name}`);
    const key = bronzeObjectKey(parsed);
    const stream = await client.getObject(bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    for (const line of (await gunzipAsync(Buffer.concat(chunks))).toString('utf8').split('\n'))
      if (line) rows.push({ ...(JSON.parse(line) as Record<string, unknown>), key });
  }
  return rows.sort((a, b) => Number(a._offset) - Number(b._offset));
}

/** Reads `count` records of a dead-letter topic from its beginning: key, value and headers as text. */
export async function readDeadLetters(
  client: Kafka,
  topic: string,
  count: number,
): Promise<Array<{ key: string; value: string | null; headers: Record<string, string> }>> {
  const consumer = client.consumer({ groupId: `dlq-reader-${randomUUID().slice(0, 8)}` });
  const received: Array<{ key: string; value: string | null; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        received.push({ key: String(message.key), value: message.value?.toString('utf8') ?? null, headers });
      },
    });
    await waitFor(`${count} records in ${topic}`, async () => received.length >= count, 60_000);
    // Anything beyond `count` would arrive within a fetch or two.
    await sleep(1000);
  } finally {
    await consumer.disconnect();
  }
  return received;
}

export function missingFrom(lake: LakeContents, ids: string[]): string[] {
  return ids.filter((id) => !lake.copies.has(id));
}

export function duplicated(lake: LakeContents): number {
  let n = 0;
  for (const count of lake.copies.values()) if (count > 1) n++;
  return n;
}

/** Polls `probe` until it returns a truthy value; a probe that throws (a broker still loading) counts as "not yet". */
/** A topic of the test's own with its dead-letter topic, the names of the writer's group and bucket, and a client. */
export async function freshTopic(
  kafka: KafkaInstance,
  partitions: number,
  dlqConfig: Array<{ name: string; value: string }> = [],
): Promise<ReturnType<typeof uniqueNames> & { client: Kafka }> {
  const names = uniqueNames();
  const client = testKafka(kafka);
  await createTopicWithDlq(client, names.topic, partitions, dlqConfig);
  return { ...names, client };
}

/** Waits until the writer's /readyz answers 200 (it has joined its group); benchmarks poll more often, as their clock starts then. */
export async function waitReady(
  writer: WriterProcess,
  what = 'the writer to be ready',
  intervalMs = 500,
): Promise<void> {
  await waitFor(what, async () => (await httpStatus(writer.opsPort, '/readyz')) === 200, 60_000, intervalMs);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
      );
    await sleep(intervalMs);
  }
}

export async function httpStatus(port: number, path: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

export async function metricValue(port: number, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Topic, group and bucket names no other test in this run uses, so tests never share data. */
export function uniqueNames(): { topic: string; groupId: string; bucket: string } {
  const id = randomUUID().slice(0, 8);
  return { topic: `events-${id}`, groupId: `lw-${id}`, bucket: `lake-${id}` };
}
