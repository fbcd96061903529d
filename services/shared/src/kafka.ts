// The only module that imports kafkajs: everything else takes the types re-exported here, so the client
// library can be swapped (kafkajs has had no release since 2023) by changing this file alone.
import kafkajs, {
  CompressionTypes,
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { env } from './config.js';
import { kafkaAuthEnvShape, kafkaSasl, kafkaTls } from './kafka-auth.js';
import { dropKafkajsNegativeTimeoutWarning } from './kafka-timeout-warning.js';

export type {
  AclEntry,
  Admin,
  Consumer,
  EachBatchPayload,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';
export { CompressionTypes, Partitioners };
// For ACL bindings through the admin API (the test harness plays Strimzi's User Operator with them). Taken from
// the default export: kafkajs spreads its errors into module.exports, which hides every name after them from
// Node's detection of a CommonJS module's named exports.
export const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** Connection settings every Kafka client of ours reads from env (credentials come from a Secret). */
export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: env.list(),
  KAFKA_CLIENT_ID: z.string().min(1).default('spotify-pipeline'),
  KAFKA_SSL: env.bool(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  ...kafkaAuthEnvShape,
});
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(settings: KafkaEnv, logger: Logger): Kafka {
  dropKafkajsNegativeTimeoutWarning();
  const log = logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: settings.KAFKA_CLIENT_ID,
    brokers: settings.KAFKA_BROKERS,
    ssl: tlsOptions(settings),
    connectionTimeout: 5000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 10_000 },
    // kafkajs reports expected reconnects at ERROR; we keep its words but not its urgency.
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const level = levels[entry.level] ?? 'info';
      log[level === 'error' ? 'warn' : level]({ namespace: entry.namespace, ...pickSafe(extra) }, message);
    },
  };
  const sasl = kafkaSasl(settings);
  if (sasl) config.sasl = sasl as SASLOptions;
  return new Kafka(config);
}

function tlsOptions(settings: KafkaEnv): NonNullable<KafkaConfig['ssl']> {
  const tls = kafkaTls(settings);
  if (!tls) return false;
  if (!tls.ca && !tls.cert) return true;
  return { ...(tls.ca ? { ca: [tls.ca] } : {}), ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}) };
}

function pickSafe(extra: Record<string, unknown>): Record<string, unknown> {
  const { broker, clientId, error, retryCount, retryTime, groupId, topic } = extra;
  return Object.fromEntries(
    Object.entries({ broker, clientId, error, retryCount, retryTime, groupId, topic }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
