import { createHash } from 'node:crypto';
import {
  groupLag,
  type KafkaInstance,
  readTopic,
  type S3Instance,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { DLQ_HEADERS } from '@spotify-pipeline/shared';
import { CompressionTypes, type Message, Partitioners } from '@spotify-pipeline/shared/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from './sample-event.js';
import {
  freshTopic,
  httpStatus,
  metricValue,
  missingFrom,
  readLake,
  sleep,
  spawnWriter,
  type testKafka,
  testStore,
  waitFor,
  waitReady,
} from './support.js';

/**
 * The hostile records of issue 10, each against the real broker and S3 server and the real writer process.
 * On the code before the per-record boundary and the commit rule, each of these failed: the writer crashed on
 * every restart, or lost records while committing past them, or wedged a partition with health at 200.
 */
let kafka: KafkaInstance;
let s3: S3Instance;

beforeAll(async () => {
  [kafka, s3] = await Promise.all([startKafka(), startS3()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
});

async function produce(
  client: ReturnType<typeof testKafka>,
  topic: string,
  messages: Message[],
  compression = CompressionTypes.None,
) {
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, acks: -1, compression, messages });
  await producer.disconnect();
}

async function objectBytes(bucket: string, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await testStore(s3).getObject(bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Good events around the hostile records, all in one partition so they share buffers and flushes. */
function around(hostile: Message[]) {
  const good = Array.from({ length: 6 }, () => sampleEvent());
  const messages: Message[] = [
    ...good.slice(0, 3).map((e) => ({ key: 'u', value: JSON.stringify(e) })),
    ...hostile,
    ...good.slice(3).map((e) => ({ key: 'u', value: JSON.stringify(e) })),
  ];
  return { good: good.map((e) => e.event_id), messages };
}

describe('hostile records against a real broker and S3 server', () => {
  it('dead-letters a record whose rejection reason used to crash the writer, and keeps going', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 1);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '500' },
    });
    // Describing this schema_version with JSON.stringify overflows the stack.
    const deep = `{"schema_version":${'['.repeat(8000)}${']'.repeat(8000)}}`;
    const { good, messages } = around([{ key: 'deep', value: deep }]);
    await produce(client, topic, messages);
    await waitFor(
      'the offsets committed',
      async () => (await groupLag(client, groupId, topic)) === 0,
      60_000,
    );
    const letters = await readTopic(client, `${topic}.dlq`);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers[DLQ_HEADERS.reason]).toMatch(/unknown schema_version \[array of 1\]/);
    expect(letters[0]!.value.toString()).toBe(deep);
    const lake = await readLake(testStore(s3), bucket, topic);
    expect(missingFrom(lake, good)).toEqual([]);
    expect(writer.exited()).toBe(false);
    expect(await writer.terminate()).toBe(0);
  });

  it('never commits past a record it could not store, and loses none of its neighbours', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 1);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '1000' },
    });
    // Date.parse accepts hour 24 and February 30; no lake partition (and no warehouse) does.
    const { good, messages } = around([
      { key: 'h24', value: JSON.stringify(sampleEvent({ event_ts: '2026-01-01T24:00:00.000Z' })) },
      { key: 'feb30', value: JSON.stringify(sampleEvent({ event_ts: '2026-02-30T10:00:00.000Z' })) },
    ]);
    await produce(client, topic, messages);
    await sleep(2000);
    const later = sampleEvent();
    await produce(client, topic, [{ key: 'later', value: JSON.stringify(later) }]);
    await waitFor(
      'the offsets committed',
      async () => (await groupLag(client, groupId, topic)) === 0,
      60_000,
    );
    const lake = await readLake(testStore(s3), bucket, topic);
    expect(missingFrom(lake, [...good, later.event_id])).toEqual([]);
    const letters = await readTopic(client, `${topic}.dlq`);
    expect(letters.map((l) => l.key).sort()).toEqual(['feb30', 'h24']);
    for (const letter of letters) expect(letter.headers[DLQ_HEADERS.reason]).toMatch(/event_ts/);
    expect(await metricValue(writer.opsPort, 'lake_writer_held_records')).toBe(0);
    expect(await writer.terminate()).toBe(0);
  });

  it('dead-letters a record too large for the dead-letter topic as an excerpt, its bytes quarantined in the lake', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 1);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '500' },
    });
    // 3 MiB that compress to a few KB: the broker takes it compressed, the dead-letter topic would refuse it
    // uncompressed (message.max.bytes is 1 MiB).
    const huge = Buffer.from(JSON.stringify({ ...sampleEvent(), track_name: 'la '.repeat(1_048_576) }));
    const { good, messages } = around([{ key: 'huge', value: huge }]);
    await produce(client, topic, messages, CompressionTypes.GZIP);
    await waitFor(
      'the offsets committed',
      async () => (await groupLag(client, groupId, topic)) === 0,
      60_000,
    );
    const [letter, ...others] = await readTopic(client, `${topic}.dlq`);
    expect(others).toEqual([]);
    expect(letter!.value).toEqual(huge.subarray(0, 1024));
    expect(letter!.headers[DLQ_HEADERS.reason]).toMatch(/the limit is 16384/);
    expect(letter!.headers['dlq.original.bytes']).toBe(String(huge.length));
    const pointer = letter!.headers['dlq.quarantine']!;
    expect(pointer).toBe(`s3://${bucket}/quarantine/${topic}/${topic}+0+3.bin`);
    const stored = await objectBytes(bucket, pointer.slice(`s3://${bucket}/`.length));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(huge).digest('hex'),
    );
    expect(missingFrom(await readLake(testStore(s3), bucket, topic), good)).toEqual([]);
    expect(await metricValue(writer.opsPort, 'lake_writer_quarantined_total')).toBe(1);
    expect(await writer.terminate()).toBe(0);
  });

  it('reports a partition that cannot advance on /healthz, commits nothing past it, and recovers on its own', async () => {
    // A dead-letter topic that refuses every letter, even the reduced one.
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 2, [
      { name: 'max.message.bytes', value: '100' },
    ]);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '500', LAKE_WRITER_STALL_TIMEOUT_MS: '5000' },
    });
    await waitReady(writer);
    const { good, messages } = around([{ key: 'bad', value: '{"not": "an event"}' }]);
    await produce(
      client,
      topic,
      messages.map((m) => ({ ...m, partition: 0 })),
    );
    const fine = sampleEvent();
    await produce(client, topic, [{ key: 'other', value: JSON.stringify(fine), partition: 1 }]);
    await waitFor(
      '/healthz to report the stall',
      async () => (await httpStatus(writer.opsPort, '/healthz')) === 503,
      60_000,
    );
    const health = await fetch(`http://127.0.0.1:${writer.opsPort}/healthz`).then((r) => r.text());
    expect(health).toMatch(/partition 0 has held 7 records/);
    expect(await metricValue(writer.opsPort, 'lake_writer_stalled_partitions')).toBe(1);
    // Partition 1 is not harmed by partition 0; partition 0 commits nothing past the letter it cannot send.
    expect(await groupLag(client, groupId, topic)).toBe(messages.length);

    const admin = client.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: 2, name: `${topic}.dlq`, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] },
      ],
    });
    await admin.disconnect();
    await waitFor(
      'the group to catch up',
      async () => (await groupLag(client, groupId, topic)) === 0,
      60_000,
    );
    expect(await httpStatus(writer.opsPort, '/healthz')).toBe(200);
    expect(missingFrom(await readLake(testStore(s3), bucket, topic), [...good, fine.event_id])).toEqual([]);
    expect((await readTopic(client, `${topic}.dlq`)).map((l) => l.key)).toEqual(['bad']);
    expect(await writer.terminate()).toBe(0);
  });
});
