import { formatIssues } from '@spotify-pipeline/shared';
import type { SecretEnvName } from '@spotify-pipeline/shared/workloads';
import type { z } from 'zod';
import { type BuildContext, kafkaBootstrap } from './context.js';
import { clusterCaSecret, strimziAuthentication, strimziListener } from './kafka-users.js';

/** A variable read from a Secret key (secretKeyRef): credentials never appear as plain values. */
export interface SecretEnv {
  name: string;
  secret: string;
  key: string;
  /** An optional key may be absent: the variable is then unset and the workload runs without it. */
  optional?: boolean;
  /**
   * An optional key that stands in for one of several the workload needs one of (a Snowflake password or a
   * private key): the env check assumes it is there, and the workload says at start if none is.
   */
  oneOf?: boolean;
}

/**
 * A workload's environment: plain settings named by its env schema (a credential's name cannot be one, by
 * type), and credentials from Secrets.
 */
export interface WorkloadEnv<Name extends string = string> {
  values: Partial<Record<Exclude<Name, SecretEnvName>, string>>;
  secrets: SecretEnv[];
}

/** The env names a workload's schema reads. */
export type EnvName<S extends z.ZodType> = keyof z.input<S> & string;

/** The container's `env`: plain values first, then secretKeyRefs, each name once. */
export function containerEnv(env: WorkloadEnv): Array<Record<string, unknown>> {
  return [
    ...Object.entries(env.values)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => ({ name, value })),
    ...env.secrets.map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secret, key: s.key, ...(s.optional ? { optional: true } : {}) } },
    })),
  ];
}

/**
 * What the workload's own schema would refuse in the env the operator hands it, or null. Required Secret
 * values stand in as placeholders (whether they exist is another check); optional ones are left out, as
 * they may be.
 */
export function envRefusal<S extends z.ZodType>(schema: S, env: WorkloadEnv<EnvName<S>>): string | null {
  const placeholders = Object.fromEntries(
    env.secrets.filter((s) => !s.optional || s.oneOf).map((s) => [s.name, 'x']),
  );
  const parsed = schema.safeParse({ ...env.values, ...placeholders });
  return parsed.success ? null : formatIssues(parsed.error);
}

/** Where Kafka is and how to log in, for a client named `clientId` (its KafkaUser's name too). */
export function kafkaValues({ pipeline }: BuildContext, clientId: string) {
  const { kafka } = pipeline.spec;
  const tls =
    kafka.mode === 'external' ? (kafka.external?.tls ?? false) : (strimziListener(pipeline)?.tls ?? false);
  const scram = strimziAuthentication(pipeline) === 'scram-sha-512';
  return {
    KAFKA_BROKERS: kafkaBootstrap(pipeline),
    KAFKA_CLIENT_ID: clientId,
    KAFKA_SSL: String(tls),
    ...(scram ? { KAFKA_SASL_MECHANISM: 'scram-sha-512' } : {}),
  };
}

/** Where the lake is (its credentials come from `lakeSecretEnv`). */
export function lakeValues({ pipeline }: BuildContext) {
  const { lake } = pipeline.spec;
  return { LAKE_ENDPOINT: lake.endpoint, LAKE_BUCKET: lake.bucket, LAKE_REGION: lake.region };
}

/** The lake credentials, from the pipeline's lake Secret. */
export function lakeSecretEnv({ pipeline }: BuildContext): SecretEnv[] {
  const secret = pipeline.spec.lake.credentialsSecret;
  return (['LAKE_ACCESS_KEY', 'LAKE_SECRET_KEY'] as const).map((name) => ({ name, secret, key: name }));
}

/**
 * Kafka credentials of the workload that logs in as `user`. Strimzi: the cluster CA's certificate on a TLS
 * listener, and the Secret Strimzi's User Operator writes for the KafkaUser `user` (user.crt and user.key, or
 * password and sasl.jaas.config, which gives the user name). External: the credentials Secret's SASL keys,
 * each optional.
 */
export function kafkaSecretEnv({ pipeline }: BuildContext, user: string): SecretEnv[] {
  const listener = strimziListener(pipeline);
  if (listener) {
    const auth = strimziAuthentication(pipeline);
    return [
      ...(listener.tls ? [{ name: 'KAFKA_SSL_CA', secret: clusterCaSecret(pipeline), key: 'ca.crt' }] : []),
      ...(auth === 'tls'
        ? [
            { name: 'KAFKA_SSL_CERT', secret: user, key: 'user.crt' },
            { name: 'KAFKA_SSL_KEY', secret: user, key: 'user.key' },
          ]
        : []),
      ...(auth === 'scram-sha-512'
        ? [
            { name: 'KAFKA_SASL_PASSWORD', secret: user, key: 'password' },
            { name: 'KAFKA_SASL_JAAS_CONFIG', secret: user, key: 'sasl.jaas.config' },
          ]
        : []),
    ];
  }
  const secret =
    pipeline.spec.kafka.mode === 'external' ? pipeline.spec.kafka.external?.credentialsSecret : undefined;
  if (!secret) return [];
  return (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).map((name) => ({
    name,
    secret,
    key: name,
    optional: true,
  }));
}

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

/**
 * NODE_OPTIONS that keep V8's heap well inside the container's memory limit. Left alone, Node sizes its heap
 * at about the whole limit (262 MB in a 256Mi container), so buffers and native memory on top of a heap V8 had
 * no reason to collect yet got a lake writer under a backlog OOM-killed (issue 15). 60% of the limit leaves
 * the rest to fetched records, compression and the runtime.
 */
export function nodeHeapEnv(memory: string): { name: 'NODE_OPTIONS'; value: string } {
  const mib = Math.max(64, Math.floor((quantityToBytes(memory) * 0.6) / 1024 / 1024));
  return { name: 'NODE_OPTIONS', value: `--max-old-space-size=${mib}` };
}

export function quantityToBytes(q: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([KMGT]i?)?$/.exec(q);
  if (!match?.[1]) throw new Error(`not a byte quantity: ${q}`);
  return Math.round(Number(match[1]) * (match[2] ? (UNITS[match[2]] ?? 1) : 1));
}
