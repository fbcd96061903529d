import { z } from 'zod';
import { env } from '../config.js';
import { type ContractTopicNames, contractTopicNames } from '../contract/topics.js';
import { ConfigError } from '../errors.js';
import { type KafkaEnv, kafkaEnvSchema } from '../kafka.js';

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"');

/**
 * What every source (simulator, Spotify poller, history import) reads about Kafka: the connection, the names
 * of the topics it writes, and whether it creates them first (local runs; on Kubernetes the operator does).
 * KAFKA_BROKERS is optional here because a source writing to a file needs no broker: each source's schema
 * says when it is required (`requireBrokers`).
 */
export const sourceKafkaShape = {
  ...kafkaEnvSchema.shape,
  KAFKA_BROKERS: kafkaEnvSchema.shape.KAFKA_BROKERS.optional(),
  // Up to 234: the operator prefixes the catalog topics with `<events topic>.` (an events topic of up to 233),
  // and `<prefix>catalog.artists` still fits Kafka's 249.
  SOURCE_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{0,234}$/, 'must be at most 234 letters, digits, ".", "_" or "-"')
    .default(''),
  /** The listening-events topic; its DLQ is `<SOURCE_TOPIC>.dlq`. Default: prefix + listening-events. */
  SOURCE_TOPIC: topicName.optional(),
  SOURCE_CREATE_TOPICS: env.bool(false),
  SOURCE_TOPIC_PARTITIONS: env.int(6).pipe(z.number().int().min(1).max(10_000, 'must be at most 10000')),
  SOURCE_TOPIC_REPLICATION_FACTOR: env.int(1).pipe(z.number().int().min(1).max(10, 'must be at most 10')),
};

/** A source's settings as parsed: what `sourceKafkaShape` gives every source's schema. */
export type SourceKafkaConfig = z.infer<z.ZodObject<typeof sourceKafkaShape>>;

/** Adds the "KAFKA_BROKERS is required" issue when the source writes to Kafka. */
export function requireBrokers(
  config: Pick<SourceKafkaConfig, 'KAFKA_BROKERS'>,
  ctx: z.RefinementCtx,
  unless?: string,
): void {
  if (!config.KAFKA_BROKERS?.length)
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_BROKERS'],
      message: `is required (comma-separated host:port)${unless ? ` unless ${unless}` : ''}`,
    });
}

/** The topic names a source writes to, from its configuration. */
export function sourceTopics(config: SourceKafkaConfig): ContractTopicNames {
  return contractTopicNames(config.SOURCE_TOPIC_PREFIX, config.SOURCE_TOPIC);
}

/** The Kafka connection of a source that writes to Kafka (its schema has already required the brokers). */
export function sourceKafkaEnv(config: SourceKafkaConfig): KafkaEnv {
  if (!config.KAFKA_BROKERS?.length) throw new ConfigError('KAFKA_BROKERS: is required to write to Kafka');
  return { ...config, KAFKA_BROKERS: config.KAFKA_BROKERS };
}
