import type { Logger } from 'pino';
import { type ContractTopicNames, contractTopicNames } from '../contract/topics.js';
import { UnavailableError } from '../errors.js';
import { type createKafka, Partitioners, type Producer } from '../kafka.js';
import { retry } from '../retry.js';

type KafkaClient = ReturnType<typeof createKafka>;

/** What the publisher needs from a producer: the slice of kafkajs' Producer it calls. */
export type BatchProducer = Pick<Producer, 'connect' | 'disconnect' | 'sendBatch'>;

/**
 * An idempotent producer: the broker drops a retried batch it already wrote, so a lost acknowledgement
 * (broker restart, network blip) cannot turn into a duplicate. kafkajs needs unlimited retries and a single
 * request in flight per broker for that guarantee; it keeps the sequence numbers, we keep it connected.
 */
export function createIdempotentProducer(kafka: KafkaClient): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/**
 * Creates the contract's topics when they are missing (local runs and tests; on Kubernetes the operator
 * owns them). Catalog topics are compacted: the latest record per id is the dimension row.
 */
export async function ensureContractTopics(
  kafka: KafkaClient,
  options: {
    partitions: number;
    replicationFactor?: number;
    topicPrefix?: string;
    /** Names from the source's configuration; wins over the prefix. */
    topics?: ContractTopicNames;
    logger: Logger;
  },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const replicationFactor = options.replicationFactor ?? 1;
    const topics = options.topics ?? contractTopicNames(options.topicPrefix);
    const wanted = [
      { topic: topics.events, numPartitions: options.partitions, replicationFactor },
      { topic: topics.deadLetter, numPartitions: 1, replicationFactor },
      ...[topics.artist, topics.album, topics.track].map((topic) => ({
        topic,
        numPartitions: 1,
        replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      })),
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length === 0) return;
    await admin.createTopics({ topics: wanted, waitForLeaders: false });
    // kafkajs' own wait for leaders can give up while a fresh broker still answers UNKNOWN_TOPIC_OR_PARTITION.
    const names = wanted.map((t) => t.topic);
    await retry(
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: names });
        const led = metadata.topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
        if (!led) throw new UnavailableError(`topics ${names.join(', ')} have no leader yet`);
      },
      { what: `waiting for leaders of ${names.join(', ')}`, baseMs: 100, maxMs: 1_000, deadlineMs: 15_000 },
    );
    options.logger.info({ topics: names }, 'created missing contract topics');
  } finally {
    await admin.disconnect();
  }
}
