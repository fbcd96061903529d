import type { Logger } from 'pino';
import type { ContractTopicNames } from '../contract/topics.js';
import { createKafka } from '../kafka.js';
import { type SourceKafkaConfig, sourceKafkaEnv, sourceTopics } from '../workloads/source-env.js';
import { ensureContractTopics } from './producer.js';

/** The Kafka client of a source and the names of the topics it writes. */
export interface SourceKafka {
  kafka: ReturnType<typeof createKafka>;
  topics: ContractTopicNames;
}

/**
 * The Kafka side of a source that writes to Kafka (simulator, Spotify poller, history import), from the
 * settings every source shares: the client, its topic names and, when SOURCE_CREATE_TOPICS asks (local
 * runs; on Kubernetes the operator owns the topics), the missing contract topics created first.
 */
export async function openSourceKafka(config: SourceKafkaConfig, logger: Logger): Promise<SourceKafka> {
  const kafka = createKafka(sourceKafkaEnv(config), logger);
  const topics = sourceTopics(config);
  if (config.SOURCE_CREATE_TOPICS) {
    await ensureContractTopics(kafka, {
      partitions: config.SOURCE_TOPIC_PARTITIONS,
      replicationFactor: config.SOURCE_TOPIC_REPLICATION_FACTOR,
      topics,
      logger,
    });
  }
  return { kafka, topics };
}
