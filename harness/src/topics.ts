import type { createKafka } from '@spotify-pipeline/shared/kafka';

type KafkaClient = ReturnType<typeof createKafka>;

/** Creates `topic` and its dead-letter topic `<topic>.dlq` (one partition, `dlqConfig` on it), waiting for leaders. */
export async function createTopicWithDlq(
  kafka: KafkaClient,
  topic: string,
  partitions: number,
  dlqConfig: Array<{ name: string; value: string }> = [],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: partitions, replicationFactor: 1 },
        { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1, configEntries: dlqConfig },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Records the group has not committed yet: high watermarks minus committed offsets, summed over partitions. */
export async function groupLag(kafka: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, end) => sum + Number(end.high) - Math.max(0, done.get(end.partition) ?? 0), 0);
  } finally {
    await admin.disconnect();
  }
}
