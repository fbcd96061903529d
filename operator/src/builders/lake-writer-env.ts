import type { lakeWriterEnvSchema } from '@spotify-pipeline/shared/workloads';
import { type BuildContext, names } from './context.js';
import { catalogTopicNames, deadLetterTopicName } from './kafka-topic.js';
import { kafkaUserName } from './kafka-users.js';
import {
  type EnvName,
  kafkaSecretEnv,
  kafkaValues,
  lakeSecretEnv,
  lakeValues,
  quantityToBytes,
  type WorkloadEnv,
} from './workload-env.js';

/** The lake writer's env, named by its own schema (`lakeWriterEnvSchema`). */
export function lakeWriterEnv(ctx: BuildContext): WorkloadEnv<EnvName<typeof lakeWriterEnvSchema>> {
  const { pipeline } = ctx;
  const { spec } = pipeline;
  return {
    values: {
      ...kafkaValues(ctx, names.lakeWriter(pipeline)),
      ...lakeValues(ctx),
      LAKE_WRITER_TOPIC: spec.kafka.topic.name,
      LAKE_WRITER_CATALOG_TOPICS: catalogTopicNames(spec.kafka.topic.name).join(','),
      LAKE_WRITER_DLQ_TOPIC: deadLetterTopicName(spec.kafka.topic.name),
      LAKE_WRITER_GROUP_ID: names.consumerGroup(pipeline),
      LAKE_WRITER_FORMAT: spec.lakeWriter.format,
      LAKE_WRITER_BATCH_MAX_EVENTS: String(spec.lakeWriter.batch.maxEvents),
      LAKE_WRITER_BATCH_MAX_BYTES: String(quantityToBytes(spec.lakeWriter.batch.maxBytes)),
      LAKE_WRITER_BATCH_MAX_AGE_MS: String(spec.lakeWriter.batch.maxAgeSeconds * 1000),
      OPS_PORT: '8080',
    },
    secrets: [...lakeSecretEnv(ctx), ...kafkaSecretEnv(ctx, kafkaUserName.lakeWriter(pipeline))],
  };
}
