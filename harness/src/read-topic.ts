import type { Logger } from '@spotify-pipeline/shared';
import { createKafka, type KafkaMessage } from '@spotify-pipeline/shared/kafka';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

type KafkaClient = ReturnType<typeof createKafka>;

/** Reads a topic from the beginning up to its current end offsets, partition by partition in order. */
export async function readTopic(kafka: KafkaClient, topic: string): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  for (const [partition, high] of remaining) if (high === 0n) remaining.delete(partition);
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxBytes: 16 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), 120_000);
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            records.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? null,
              value: m.value ?? Buffer.alloc(0),
              headers: headersOf(m.headers),
            });
          }
          const high = remaining.get(batch.partition);
          if (high !== undefined && BigInt(batch.lastOffset()) + 1n >= high)
            remaining.delete(batch.partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

function headersOf(headers: KafkaMessage['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

/** A Kafka client for a test, through the same wrapper the services use. */
export function testKafka(bootstrap: string, logger: Logger, clientId = 'test'): KafkaClient {
  return createKafka({ KAFKA_BROKERS: [bootstrap], KAFKA_CLIENT_ID: clientId, KAFKA_SSL: false }, logger);
}
