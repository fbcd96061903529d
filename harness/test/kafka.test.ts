import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type KafkaInstance, startKafka } from '../src/index.js';

// Proves the broker is a real Kafka that kafkajs 2.2.4 can use for everything the pipeline does:
// admin (create topic, add partitions), idempotent produce, consumer-group consume with manual commits.
describe('Kafka broker (KRaft, single node)', () => {
  let kafka: KafkaInstance;
  let client: Kafka;

  beforeAll(async () => {
    kafka = await startKafka();
    client = new Kafka({ clientId: 'smoke', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  }, 240_000);
  afterAll(async () => {
    await kafka?.destroy();
  });

  it('creates a topic and raises its partitions through the admin API', async () => {
    const admin = client.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({ topics: [{ topic: 'smoke', numPartitions: 2 }], waitForLeaders: true }),
      ).toBe(true);
      await admin.createPartitions({ topicPartitions: [{ topic: 'smoke', count: 4 }] });
      // The broker's metadata cache follows the KRaft controller a moment after the call returns.
      await expect
        .poll(
          async () => (await admin.fetchTopicMetadata({ topics: ['smoke'] })).topics[0]?.partitions.length,
          {
            timeout: 30_000,
          },
        )
        .toBe(4);
    } finally {
      await admin.disconnect();
    }
  });

  it('produces idempotently and consumes in a group with manual commits', async () => {
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `user-${i % 17}`, value: `event-${i}` }));
    await producer.send({ topic: 'smoke', acks: -1, messages });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: 'smoke-group', sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'smoke', fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            seen.add(message.value!.toString());
            await consumer.commitOffsets([
              { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
            ]);
            if (seen.size === messages.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen.size).toBe(200);

    const admin = client.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'smoke-group', topics: ['smoke'] });
    await admin.disconnect();
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(200);
  });

  it('is really what answers: a client pointed at a closed port fails', async () => {
    const closed = new Kafka({
      clientId: 'smoke',
      brokers: [`127.0.0.1:${await freePort()}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 500,
    });
    const admin = closed.admin();
    await expect(admin.connect()).rejects.toThrow();
  });
});
