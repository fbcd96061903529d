import type { Logger } from '@spotify-pipeline/shared';
import { type Admin, createKafka, type KafkaEnv } from '@spotify-pipeline/shared/kafka';

export interface ExternalTopic {
  name: string;
  partitions: number;
  replicas: number;
  /** Set when the topic is created (`retention.ms`, `cleanup.policy`); an existing topic's is left alone. */
  config: Record<string, string>;
}

/**
 * An admin client that disconnects when `signal` aborts (a broker that accepts and never answers would
 * otherwise keep kafkajs retrying after the caller gave up), and always disconnects at the end.
 */
async function withAdmin<T>(
  settings: KafkaEnv,
  logger: Logger,
  signal: AbortSignal,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = createKafka(settings, logger).admin({ retry: { retries: 2 } });
  const disconnect = () => admin.disconnect().catch(() => undefined);
  signal.addEventListener('abort', disconnect, { once: true });
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    signal.removeEventListener('abort', disconnect);
    await disconnect();
  }
}

/**
 * External (managed) Kafka through its admin API: the topic is created when missing and its partitions
 * raised when the plan asks for more; never lowered, and never raised on a compacted topic (new partitions
 * would move its keys, and a key's older record would outlive the newer one). Returns the partition count
 * after the change.
 */
export function ensureExternalTopic(
  settings: KafkaEnv,
  topic: ExternalTopic,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  return withAdmin(settings, logger, signal, async (admin) => {
    const existing = await admin.listTopics();
    if (!existing.includes(topic.name)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicas,
            configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      return topic.partitions;
    }
    const current = await partitionCount(admin, topic.name);
    if (current >= topic.partitions || topic.config['cleanup.policy'] === 'compact') return current;
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
    } catch (err) {
      // Metadata can trail a change that just happened (ours or another replica's): look again before failing.
      const now = await partitionCount(admin, topic.name).catch(() => 0);
      if (now >= topic.partitions) return now;
      throw err;
    }
    return topic.partitions;
  });
}

async function partitionCount(admin: Admin, name: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [name] });
  return metadata.topics[0]?.partitions.length ?? 0;
}

export function deleteExternalTopic(
  settings: KafkaEnv,
  name: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  return withAdmin(settings, logger, signal, async (admin) => {
    const existing = await admin.listTopics();
    if (existing.includes(name)) await admin.deleteTopics({ topics: [name] });
  });
}
