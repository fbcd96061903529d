import type { Logger } from '@spotify-pipeline/shared';
import { type Admin, createKafka, type KafkaEnv } from '@spotify-pipeline/shared/kafka';

export interface ExternalTopic {
  name: string;
  partitions: number;
  replicas: number;
  retentionHours: number;
}

const TIMEOUT_MS = 15_000;

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * External (managed) Kafka through its admin API: the topic is created when missing and its partitions
 * raised when the plan asks for more; never lowered. Returns the partition count after the change.
 */
export async function ensureExternalTopic(
  settings: KafkaEnv,
  topic: ExternalTopic,
  logger: Logger,
): Promise<number> {
  const admin = createKafka(settings, logger).admin();
  await withTimeout('connecting to Kafka', admin.connect());
  try {
    const existing = await withTimeout('listing topics', admin.listTopics());
    if (!existing.includes(topic.name)) {
      await withTimeout(
        'creating the topic',
        admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: topic.name,
              numPartitions: topic.partitions,
              replicationFactor: topic.replicas,
              configEntries: [{ name: 'retention.ms', value: String(topic.retentionHours * 3_600_000) }],
            },
          ],
        }),
      );
      return topic.partitions;
    }
    const current = await partitionCount(admin, topic.name);
    if (current >= topic.partitions) return current;
    try {
      await withTimeout(
        'raising partitions',
        admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] }),
      );
    } catch (err) {
      // Metadata can trail a change that just happened (ours or another replica's): look again before failing.
      const now = await partitionCount(admin, topic.name).catch(() => 0);
      if (now >= topic.partitions) return now;
      throw err;
    }
    return topic.partitions;
  } finally {
    await admin.disconnect();
  }
}

async function partitionCount(admin: Admin, name: string): Promise<number> {
  const metadata = await withTimeout('reading topic metadata', admin.fetchTopicMetadata({ topics: [name] }));
  return metadata.topics[0]?.partitions.length ?? 0;
}

export async function deleteExternalTopic(settings: KafkaEnv, name: string, logger: Logger): Promise<void> {
  const admin = createKafka(settings, logger).admin();
  await withTimeout('connecting to Kafka', admin.connect());
  try {
    const existing = await admin.listTopics();
    if (existing.includes(name))
      await withTimeout('deleting the topic', admin.deleteTopics({ topics: [name] }));
  } finally {
    await admin.disconnect();
  }
}
