import { formatIssues } from '@spotify-pipeline/shared';
import { lakeWriterEnvSchema } from '@spotify-pipeline/shared/lake/index';
import { type BuildContext, type ChildObject, childMeta, kafkaBootstrap, names } from './context.js';

type LakeWriterEnvName = keyof (typeof lakeWriterEnvSchema)['shape'];

/** Settings that are not secret, keyed by the env names of the lake writer's own schema. */
type LakeWriterSettings = Partial<Record<Exclude<LakeWriterEnvName, SecretEnvName>, string>>;
type SecretEnvName =
  | 'LAKE_ACCESS_KEY'
  | 'LAKE_SECRET_KEY'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SASL_MECHANISM';

const UNITS: Record<string, number> = {
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function quantityToBytes(q: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([KMGT]i?)?$/.exec(q);
  if (!match?.[1]) throw new Error(`not a byte quantity: ${q}`);
  return Math.round(Number(match[1]) * (match[2] ? (UNITS[match[2]] ?? 1) : 1));
}

/** The lake writer's (and sources') non-secret configuration; credentials stay in Secrets. */
export function lakeWriterSettings({ pipeline }: BuildContext): LakeWriterSettings {
  const { spec } = pipeline;
  return {
    KAFKA_BROKERS: kafkaBootstrap(pipeline),
    KAFKA_CLIENT_ID: `${pipeline.metadata.name}-lake-writer`,
    KAFKA_SSL: String(spec.kafka.mode === 'external' && (spec.kafka.external?.tls ?? false)),
    LAKE_ENDPOINT: spec.lake.endpoint,
    LAKE_BUCKET: spec.lake.bucket,
    LAKE_REGION: spec.lake.region,
    LAKE_WRITER_TOPIC: spec.kafka.topic.name,
    LAKE_WRITER_DLQ_TOPIC: `${spec.kafka.topic.name}.dlq`,
    LAKE_WRITER_GROUP_ID: names.consumerGroup(pipeline),
    LAKE_WRITER_FORMAT: spec.lakeWriter.format,
    LAKE_WRITER_BATCH_MAX_EVENTS: String(spec.lakeWriter.batch.maxEvents),
    LAKE_WRITER_BATCH_MAX_BYTES: String(quantityToBytes(spec.lakeWriter.batch.maxBytes)),
    LAKE_WRITER_BATCH_MAX_AGE_MS: String(spec.lakeWriter.batch.maxAgeSeconds * 1000),
    OPS_PORT: '8080',
  };
}

/**
 * The lake writer's own schema applied to what the operator will hand it (credentials stand in): a setting
 * the service would refuse at start is reported on the pipeline instead of as a crash-looping pod.
 */
export function lakeWriterConfigProblem(ctx: BuildContext): string | null {
  const parsed = lakeWriterEnvSchema.safeParse({
    ...lakeWriterSettings(ctx),
    LAKE_ACCESS_KEY: 'x',
    LAKE_SECRET_KEY: 'x',
  });
  return parsed.success ? null : formatIssues(parsed.error);
}

export function buildConfigMap(ctx: BuildContext): ChildObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(ctx.pipeline, names.config(ctx.pipeline), 'config'),
    data: lakeWriterSettings(ctx),
  };
}

/** Env entries reading credentials from the pipeline's Secrets (never copied into a ConfigMap). */
export function lakeCredentialEnv({ pipeline }: BuildContext) {
  const secret = pipeline.spec.lake.credentialsSecret;
  return (['LAKE_ACCESS_KEY', 'LAKE_SECRET_KEY'] as const).map((name) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key: name } },
  }));
}

export function kafkaCredentialEnv({ pipeline }: BuildContext) {
  const secret =
    pipeline.spec.kafka.mode === 'external' ? pipeline.spec.kafka.external?.credentialsSecret : undefined;
  if (!secret) return [];
  return (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).map((name) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key: name, optional: true } },
  }));
}
