import {
  groupLag,
  type KafkaInstance,
  type S3Instance,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  duplicated,
  freshTopic,
  httpStatus,
  metricValue,
  missingFrom,
  produceEvents,
  readLake,
  sleep,
  spawnWriter,
  testStore,
  type WriterProcess,
  waitFor,
  waitReady,
} from './support.js';

let kafka: KafkaInstance;
let s3: S3Instance;

beforeAll(async () => {
  [kafka, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
});

/**
 * Produces `count` events while SIGKILLing the writer `kills` times at random moments, restarting it each
 * time, then drains. Returns what the lake holds and, per kill, the records that were consumed-or-pending
 * but not committed when the process died: the only records a restart can write twice.
 */
async function crashWhileWriting(
  count: number,
  kills: number,
  perSecond: number,
  env: Record<string, string>,
) {
  const { topic, groupId, bucket, client } = await freshTopic(kafka, 4);
  const spawn = () => spawnWriter({ kafka, s3, bucket, topic, groupId, env });
  let writer: WriterProcess = await spawn();
  const producing = produceEvents(client, topic, count, { perSecond });
  const uncommittedAtKill: number[] = [];
  for (let i = 0; i < kills; i++) {
    // A kill is only interesting once this process has joined and stored something of its own.
    const current = writer;
    await waitFor(
      'the restarted writer to store objects',
      async () =>
        (await metricValue(current.opsPort, 'lake_writer_objects_written_total').catch(() => 0)) > 0,
      60_000,
      200,
    );
    await sleep(Math.random() * 2000);
    await writer.kill();
    uncommittedAtKill.push(await groupLag(client, groupId, topic));
    writer = await spawn();
  }
  const ids = await producing;
  const started = Date.now();
  const last = writer;
  await waitReady(last, 'the last writer to join');
  await waitFor(
    'the group to catch up',
    async () => (await groupLag(client, groupId, topic)) === 0,
    150_000,
    1000,
  );
  const drainSeconds = (Date.now() - started) / 1000;
  expect(await writer.terminate()).toBe(0);
  const lake = await readLake(testStore(s3), bucket, topic);
  return { ids, lake, uncommittedAtKill, drainSeconds };
}

describe('lake writer under faults', () => {
  it('loses nothing when SIGKILLed at random moments and restarted', async () => {
    const { ids, lake, uncommittedAtKill } = await crashWhileWriting(30_000, 3, 1500, {
      LAKE_WRITER_BATCH_MAX_EVENTS: '2000',
      LAKE_WRITER_BATCH_MAX_AGE_MS: '1000',
    });
    const bound = uncommittedAtKill.reduce((a, b) => a + b, 0);
    console.log(
      `crash: ${ids.length} events, ${lake.objects} objects, ${duplicated(lake)} event_ids in more than one object; uncommitted at each kill ${uncommittedAtKill.join(', ')} (bound ${bound})`,
    );
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(duplicated(lake)).toBeLessThanOrEqual(bound);
  });

  it('pauses through a 30 s object-store outage and recovers on its own', async () => {
    const { topic, groupId, bucket, client } = await freshTopic(kafka, 4);
    const writer = await spawnWriter({
      kafka,
      s3,
      bucket,
      topic,
      groupId,
      env: { LAKE_WRITER_BATCH_MAX_EVENTS: '2000', LAKE_WRITER_BATCH_MAX_AGE_MS: '1000' },
    });
    await waitReady(writer);
    const producing = produceEvents(client, topic, 36_000, { perSecond: 1000 });
    await sleep(3000);
    await s3.stop();
    const down = Date.now();
    let healthyThroughout = true;
    while (Date.now() - down < 30_000) {
      await sleep(2000);
      if ((await httpStatus(writer.opsPort, '/healthz')) !== 200 || writer.exited())
        healthyThroughout = false;
    }
    const retries = await metricValue(writer.opsPort, 'lake_writer_store_retries_total');
    const heldDuringOutage = await metricValue(writer.opsPort, 'lake_writer_held_records');
    await s3.start();
    const ids = await producing;
    const back = Date.now();
    await waitFor(
      'the group to catch up',
      async () => (await groupLag(client, groupId, topic)) === 0,
      90_000,
      1000,
    );
    console.log(
      `outage: ${retries} retries, ${heldDuringOutage} records held while the store was down, caught up ${((Date.now() - back) / 1000).toFixed(1)} s after the last event`,
    );
    expect(healthyThroughout).toBe(true);
    expect(retries).toBeGreaterThan(0);
    const lake = await readLake(testStore(s3), bucket, topic);
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(await writer.terminate()).toBe(0);
  });
});

describe.runIf(process.env.SP_LONG === '1')('lake writer under faults, long', () => {
  it('loses nothing over 1,000,000 events and five SIGKILLs', async () => {
    const { ids, lake, uncommittedAtKill, drainSeconds } = await crashWhileWriting(1_000_000, 5, 40_000, {
      LAKE_WRITER_BATCH_MAX_EVENTS: '50000',
      LAKE_WRITER_BATCH_MAX_AGE_MS: '5000',
    });
    const bound = uncommittedAtKill.reduce((a, b) => a + b, 0);
    console.log(
      `crash long: ${ids.length} events, ${lake.objects} objects, ${lake.copies.size} distinct event_ids, ${duplicated(lake)} in more than one object; uncommitted at each kill ${uncommittedAtKill.join(', ')} (bound ${bound}); drained in ${drainSeconds} s`,
    );
    expect(missingFrom(lake, ids)).toEqual([]);
    expect(duplicated(lake)).toBeLessThanOrEqual(bound);
  }, 900_000);
});
