import {
  createTopicWithDlq,
  groupLag,
  type KafkaInstance,
  type S3Instance,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { DLQ_HEADERS, MAX_EVENT_BYTES } from '@spotify-pipeline/shared';
import { Partitioners } from '@spotify-pipeline/shared/kafka';
import { catalogGroupId } from '@spotify-pipeline/shared/lake/lake-writer-env';
import { writerCheckpointKey } from '@spotify-pipeline/shared/lake/layout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from './sample-event.js';
import {
  duplicated,
  freshTopic,
  httpStatus,
  metricValue,
  missingFrom,
  produceEvents,
  readCatalog,
  readDeadLetters,
  readLake,
  sleep,
  spawnWriter,
  testKafka,
  testStore,
  uniqueNames,
  waitFor,
  waitReady,
} from './support.js';

let kafka: KafkaInstance;
let s3: S3Instance;

beforeAll(async () => {
  [kafka, s3] = await Promise.all([startKafka({ partitions: 3 }), startS3()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
});

describe('lake writer against a real broker and S3 server', () => {
  it('writes the partial batch and commits it on SIGTERM, creating its bucket', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 3);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      // Nothing would flush on its own for ten minutes: only the stop can write these.
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '600000', LAKE_WRITER_BATCH_MAX_EVENTS: '1000000' },
    });
    await waitReady(writer);
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

  it('writes Parquet when configured to', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 3);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_FORMAT: 'parquet' },
    });
    await waitReady(writer);
    const ids = await produceEvents(client, topic, 600);
    await waitFor(
      'the writer to take every record',
      async () => (await metricValue(writer.opsPort, 'lake_writer_held_records')) === 600,
      30_000,
    );
    expect(await writer.terminate()).toBe(0);
    const lake = await readLake(testStore(s3), bucket, topic);
    expect(lake.objects).toBeGreaterThan(0);
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(lake.rows).toBe(600);
  });

  it('dead-letters bad records with their reason and original bytes, and keeps going', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 1);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_AGE_MS: '500' },
    });
    const bad: Array<{ value: string | null; reason: RegExp }> = [
      { value: '{"schema_version":1,"event_id":', reason: /not valid JSON/ },
      {
        value: JSON.stringify(sampleEvent({ country: 'UK' as never })),
        reason: /country: UK is not ISO-3166-1/,
      },
      { value: JSON.stringify({ ...sampleEvent(), schema_version: 2 }), reason: /unknown schema_version 2/ },
      {
        value: JSON.stringify({ ...sampleEvent(), extra: 'x'.repeat(MAX_EVENT_BYTES) }),
        reason: /limit is 16384/,
      },
      { value: '[1,2,3]', reason: /not a JSON object/ },
      { value: null, reason: /no value/ },
    ];
    const good = [sampleEvent(), sampleEvent(), sampleEvent()];
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'g0', value: JSON.stringify(good[0]) },
        ...bad.map((b, i) => ({ key: `b${i}`, value: b.value })),
        { key: 'g1', value: JSON.stringify(good[1]) },
        { key: 'g2', value: JSON.stringify(good[2]) },
      ],
    });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: `${groupId}-dlq-reader` });
    const received: Array<{ key: string; value: string | null; headers: Record<string, string> }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        received.push({ key: String(message.key), value: message.value?.toString('utf8') ?? null, headers });
      },
    });
    await waitFor(
      'every bad record in the dead-letter topic',
      async () => received.length >= bad.length,
      60_000,
    );
    await consumer.disconnect();
    const store = testStore(s3);
    const lake = await waitFor(
      'the good records in the lake',
      async () => {
        const contents = await readLake(store, bucket, topic);
        return contents.rows === good.length && contents;
      },
      30_000,
    );
    expect(
      missingFrom(
        lake,
        good.map((e) => e.event_id),
      ),
    ).toEqual([]);
    expect(received).toHaveLength(bad.length);
    bad.forEach((b, i) => {
      const letter = received.find((r) => r.key === `b${i}`);
      expect(letter?.value).toBe(b.value);
      expect(letter?.headers[DLQ_HEADERS.reason]).toMatch(b.reason);
      expect(letter?.headers[DLQ_HEADERS.sourceTopic]).toBe(topic);
      expect(letter?.headers[DLQ_HEADERS.sourceOffset]).toBe(String(i + 1));
      expect(letter?.headers[DLQ_HEADERS.stage]).toBe('lake-writer');
    });
    await waitFor(
      'the offsets committed',
      async () => (await groupLag(client, groupId, topic)) === 0,
      15_000,
    );
    expect(await metricValue(writer.opsPort, 'lake_writer_dead_lettered_total')).toBe(bad.length);
    expect(await httpStatus(writer.opsPort, '/healthz')).toBe(200);
    expect(writer.exited()).toBe(false);
    expect(await writer.terminate()).toBe(0);
  });

  it('loses nothing while a second writer joins and the first one leaves', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 6);
    const env = { LAKE_WRITER_BATCH_MAX_AGE_MS: '1000', LAKE_WRITER_BATCH_MAX_EVENTS: '500' };
    const first = await spawnWriter({ kafka, s3, bucket, topic, groupId, env });
    const producing = produceEvents(client, topic, 20_000, { perSecond: 1500 });
    await sleep(3000);
    const second = await spawnWriter({ kafka, s3, bucket, topic, groupId, env });
    await waitReady(second, 'the second writer to join');
    await sleep(3000);
    expect(await first.terminate()).toBe(0);
    const ids = await producing;
    await waitFor(
      'the group to catch up',
      async () => (await groupLag(client, groupId, topic)) === 0,
      90_000,
    );
    const lake = await readLake(testStore(s3), bucket, topic);
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(await metricValue(second.opsPort, 'lake_writer_records_written_total')).toBeGreaterThan(0);
    console.log(
      `rebalance: ${ids.length} events, ${lake.objects} objects, ${duplicated(lake)} event_ids in two objects`,
    );
    expect(await second.terminate()).toBe(0);
  });

  it('skips what its partition checkpoint says a previous owner stored, and ignores one that does not fit', async () => {
    const client = testKafka(kafka);
    const store = testStore(s3);
    const run = async (checkpoint: string) => {
      const { topic, groupId, bucket } = uniqueNames();
      await createTopicWithDlq(client, topic, 1);
      await store.makeBucket(bucket);
      const ids = await produceEvents(client, topic, 1000);
      // As a writer leaves it when a rebalance refuses the commit after its store.
      const key = writerCheckpointKey(groupId, topic, 0);
      await store.putObject(bucket, key, Buffer.from(checkpoint));
      const env = { LAKE_WRITER_BATCH_MAX_AGE_MS: '1000' };
      const writer = await spawnWriter({ kafka, s3, bucket, topic, groupId, env });
      await waitFor(
        'the group to catch up',
        async () => (await groupLag(client, groupId, topic)) === 0,
        60_000,
      );
      const lake = await readLake(store, bucket, topic);
      const skipped = await metricValue(writer.opsPort, 'lake_writer_already_stored_records_total');
      expect(await writer.terminate()).toBe(0);
      const stream = await store.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { ids, lake, skipped, checkpoint: JSON.parse(Buffer.concat(chunks).toString()) };
    };

    const resumed = await run('{"from":"0","next":"400"}');
    expect(resumed.skipped).toBe(400);
    expect(resumed.lake.rows).toBe(600);
    expect(missingFrom(resumed.lake, resumed.ids)).toEqual(resumed.ids.slice(0, 400));
    expect(resumed.checkpoint).toMatchObject({ next: '1000' });

    const hostiles = [
      '{"from":"0","next":"99999"}',
      '{not json',
      '{"from":"-1","next":"400"}',
      `{"from":"0","next":"400","pad":"${'x'.repeat(10_000)}"}`,
    ];
    for (const hostile of hostiles) {
      const ignored = await run(hostile);
      expect(ignored.skipped).toBe(0);
      expect(missingFrom(ignored.lake, ignored.ids)).toEqual([]);
      expect(ignored.lake.rows).toBe(1000);
    }
  });

  it('writes catalog topics beside the events: validated, by ingestion hour, tombstones skipped, bad records dead-lettered', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 2);
    const tracksTopic = `${topic}.catalog.tracks`;
    const artistsTopic = `${topic}.catalog.artists`;
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [tracksTopic, artistsTopic].map((name) => ({
        topic: name,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: {
        LAKE_WRITER_CATALOG_TOPICS: `${tracksTopic},${artistsTopic}`,
        LAKE_WRITER_BATCH_MAX_AGE_MS: '500',
      },
    });
    await waitReady(writer, 'every writer of the process to join its group');
    const track = (id: string, popularity: number) =>
      JSON.stringify({
        schema_version: 1,
        track_id: id,
        album_id: null,
        artist_id: 'a1',
        name: `Track ${id}`,
        duration_ms: 201_000,
        popularity,
      });
    const artist = JSON.stringify({
      schema_version: 1,
      artist_id: 'a1',
      name: 'Röyksopp',
      genres: ['electronic'],
    });
    const badTracks = [
      { key: 'wrong-kind', value: artist, reason: /track_id: is required/ },
      { key: 't-pop', value: track('t-pop', 101).replace('101', '"high"'), reason: /popularity/ },
      { key: 't-exp', value: track('t-exp', 50).replace('50', '5e1'), reason: /number/ },
      { key: 't-json', value: '{"schema_version":1,"track_id":', reason: /not valid JSON/ },
    ];
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: tracksTopic,
      acks: -1,
      messages: [
        { key: 't1', value: track('t1', 71.5) },
        ...badTracks.map(({ key, value }) => ({ key, value })),
        { key: 't2', value: track('t2', 12) },
        // A compacted topic deletes a key with a tombstone: nothing to store, nothing wrong.
        { key: 't2', value: null },
        { key: 't3', value: track('t3', 0) },
      ],
    });
    await producer.send({ topic: artistsTopic, acks: -1, messages: [{ key: 'a1', value: artist }] });
    await producer.disconnect();
    const ids = await produceEvents(client, topic, 200);

    const catalogGroup = (t: string) => catalogGroupId(groupId, t);
    await waitFor(
      'every topic committed',
      async () =>
        (await groupLag(client, groupId, topic)) === 0 &&
        (await groupLag(client, catalogGroup(tracksTopic), tracksTopic)) === 0 &&
        (await groupLag(client, catalogGroup(artistsTopic), artistsTopic)) === 0,
      60_000,
    );
    const store = testStore(s3);
    expect(missingFrom(await readLake(store, bucket, topic), ids)).toEqual([]);
    const tracks = await readCatalog(store, bucket, tracksTopic);
    expect(tracks.map((row) => row.track_id)).toEqual(['t1', 't2', 't3']);
    expect(tracks[0]).toMatchObject({ popularity: 71.5, _topic: tracksTopic, _partition: 0, _offset: 0 });
    const ingested = new Date(tracks[0]!._ingested_at as string);
    expect(Date.now() - ingested.getTime()).toBeLessThan(120_000);
    expect(tracks[0]!.key).toMatch(
      `/date=${ingested.toISOString().slice(0, 10)}/hour=${ingested.toISOString().slice(11, 13)}/`,
    );
    expect(tracks[0]!.key).toMatch(/\.jsonl\.gz$/);
    expect((await readCatalog(store, bucket, artistsTopic)).map((row) => row.name)).toEqual(['Röyksopp']);

    const letters = await readDeadLetters(client, `${topic}.dlq`, badTracks.length);
    for (const bad of badTracks) {
      const letter = letters.find((l) => l.key === bad.key);
      expect(letter?.value, bad.key).toBe(bad.value);
      expect(letter?.headers[DLQ_HEADERS.reason], bad.key).toMatch(bad.reason);
      expect(letter?.headers[DLQ_HEADERS.sourceTopic]).toBe(tracksTopic);
    }
    expect(letters).toHaveLength(badTracks.length);
    expect(await metricValue(writer.opsPort, 'lake_writer_skipped_records_total')).toBe(1);
    expect(await httpStatus(writer.opsPort, '/healthz')).toBe(200);
    expect(await writer.terminate()).toBe(0);
  });
});
