import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS, MAX_EVENT_BYTES } from '@spotify-pipeline/shared';
import { Partitioners } from '@spotify-pipeline/shared/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaInstance, type S3Instance, startKafka, startS3 } from '../../../harness/src/index.js';
import { sampleEvent } from '../src/sample-event.js';
import {
  createTopic,
  duplicated,
  groupLag,
  httpStatus,
  metricValue,
  missingFrom,
  produceEvents,
  readLake,
  sleep,
  spawnWriter,
  testKafka,
  testStore,
  waitFor,
} from './support.js';

let kafka: KafkaInstance;
let s3: S3Instance;

beforeAll(async () => {
  [kafka, s3] = await Promise.all([startKafka({ partitions: 3 }), startS3()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
});

const names = () => {
  const id = randomUUID().slice(0, 8);
  return { topic: `events-${id}`, groupId: `lw-${id}`, bucket: `lake-${id}` };
};

describe('lake writer against a real broker and S3 server', () => {
  it('writes the partial batch and commits it on SIGTERM, creating its bucket', async () => {
    const { topic, groupId, bucket } = names();
    const client = testKafka(kafka);
    await createTopic(client, topic, 3);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      // Nothing would flush on its own for ten minutes: only the stop can write these.
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '600000', LAKE_WRITER_BATCH_MAX_EVENTS: '1000000' },
    });
    await waitFor(
      'the writer to be ready',
      async () => (await httpStatus(writer.opsPort, '/readyz')) === 200,
      60_000,
    );
    const ids = await produceEvents(client, topic, 1500);
    await waitFor(
      'the writer to take every record',
      async () => (await metricValue(writer.opsPort, 'lake_writer_held_records')) === 1500,
      30_000,
    );
    const store = testStore(s3);
    expect((await readLake(store, bucket, topic)).objects).toBe(0);

    expect(await writer.terminate()).toBe(0);
    const lake = await readLake(store, bucket, topic);
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(lake.rows).toBe(1500);
    expect(duplicated(lake)).toBe(0);
    expect(await groupLag(client, groupId, topic)).toBe(0);
    const row = lake.rowsOf[0] ?? {};
    expect(row._topic).toBe(topic);
    expect(typeof row._partition).toBe('number');
    expect(typeof row._offset).toBe('number');
    expect(Date.parse(row._ingested_at as string)).toBeGreaterThan(Date.now() - 120_000);
  });
});
