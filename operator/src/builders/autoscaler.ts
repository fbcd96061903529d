import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { type BuildContext, type ChildObject, childMeta, kafkaBootstrap, names } from './context.js';
import { clusterCaSecret, kafkaUserName, strimziAuthentication, strimziListener } from './kafka-users.js';

/**
 * The HPA mode scales on the lake writers' CPU (resource metrics from metrics-server): the average use, as a
 * percentage of the CPU each writer requests, the HPA keeps writers at. Lag-based scaling is the KEDA mode.
 */
const HPA_CPU_UTILIZATION_PERCENT = 70;

/** KEDA's names for the SASL mechanisms of a credentials Secret's KAFKA_SASL_MECHANISM. */
const KEDA_SASL = {
  plain: 'plaintext',
  'scram-sha-256': 'scram_sha256',
  'scram-sha-512': 'scram_sha512',
} as const;

function bounds({ plan }: BuildContext) {
  // Never more lake writers than partitions: an extra consumer in the group would sit idle.
  const max = Math.min(plan.lakeWriters.max, plan.partitions);
  return { min: Math.min(plan.lakeWriters.min, max), max };
}

/**
 * How fast writers go away once lag falls: the largest recommendation within the window is kept (no flapping
 * on a spiky lag), then at most half of them go every 30 s. Scale-up is the HPA's default (fast).
 */
function scaleDown({ pipeline }: BuildContext) {
  return {
    stabilizationWindowSeconds: pipeline.spec.lakeWriter.scaleDownStabilizationSeconds,
    policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 30 }],
  };
}

export function buildHpa(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'hpa') return null;
  const { min, max } = bounds(ctx);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.lakeWriter(pipeline) },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: HPA_CPU_UTILIZATION_PERCENT },
          },
        },
      ],
      behavior: { scaleDown: scaleDown(ctx) },
    },
  };
}

/**
 * The Kafka credentials KEDA's scaler logs in with. External: username and password from the cluster's
 * credentials Secret (the keys the workloads read). Strimzi: the cluster CA on a TLS listener, and KEDA's own
 * KafkaUser's Secret (user.crt and user.key, or password with the user name from `buildKedaKafkaConfig`).
 * Null when there is nothing to log in with, or without KEDA.
 */
export function buildKafkaTriggerAuthentication(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'keda') return null;
  const spec = strimziListener(pipeline) ? strimziTriggerAuth(ctx) : externalTriggerAuth(ctx);
  if (!spec) return null;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: childMeta(pipeline, names.kafkaTriggerAuthentication(pipeline), 'lake-writer'),
    spec,
  };
}

function externalTriggerAuth({ pipeline }: BuildContext): ITriggerAuthentication['spec'] | null {
  const secret =
    pipeline.spec.kafka.mode === 'external' ? pipeline.spec.kafka.external?.credentialsSecret : undefined;
  if (!secret) return null;
  return {
    secretTargetRef: [
      { parameter: 'username', name: secret, key: 'KAFKA_SASL_USERNAME' },
      { parameter: 'password', name: secret, key: 'KAFKA_SASL_PASSWORD' },
    ],
  };
}

function strimziTriggerAuth({ pipeline }: BuildContext): ITriggerAuthentication['spec'] | null {
  const listener = strimziListener(pipeline);
  const auth = strimziAuthentication(pipeline);
  if (!listener?.tls && !auth) return null;
  const user = kafkaUserName.keda(pipeline);
  const secretTargetRef: NonNullable<ITriggerAuthentication['spec']['secretTargetRef']> = [
    ...(listener?.tls ? [{ parameter: 'ca', name: clusterCaSecret(pipeline), key: 'ca.crt' }] : []),
    ...(auth === 'tls'
      ? [
          { parameter: 'cert', name: user, key: 'user.crt' },
          { parameter: 'key', name: user, key: 'user.key' },
        ]
      : []),
    ...(auth === 'scram-sha-512' ? [{ parameter: 'password', name: user, key: 'password' }] : []),
  ];
  return {
    secretTargetRef,
    ...(auth === 'scram-sha-512'
      ? {
          configMapTargetRef: [
            { parameter: 'username', name: names.kedaKafkaConfig(pipeline), key: 'username' },
          ],
        }
      : {}),
  };
}

/**
 * KEDA's SCRAM user name, for its TriggerAuthentication: Strimzi's Secret holds the password but not the
 * name, and KEDA takes a user name only from authentication sources. A name, not a credential.
 */
export function buildKedaKafkaConfig(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'keda' || strimziAuthentication(pipeline) !== 'scram-sha-512')
    return null;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(pipeline, names.kedaKafkaConfig(pipeline), 'lake-writer'),
    data: { username: kafkaUserName.keda(pipeline) },
  };
}

export function buildScaledObject(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.lakeWriter.autoscaler !== 'keda') return null;
  const { min, max } = bounds(ctx);
  const external = pipeline.spec.kafka.mode === 'external' ? pipeline.spec.kafka.external : undefined;
  const metadata: Record<string, string> = {
    bootstrapServers: kafkaBootstrap(pipeline),
    consumerGroup: names.consumerGroup(pipeline),
    topic: pipeline.spec.kafka.topic.name,
    lagThreshold: String(pipeline.spec.lakeWriter.lagThreshold),
    offsetResetPolicy: 'earliest',
    allowIdleConsumers: 'false',
    tls: (external?.tls ?? strimziListener(pipeline)?.tls) ? 'enable' : 'disable',
    ...(ctx.kafkaSaslMechanism ? { sasl: KEDA_SASL[ctx.kafkaSaslMechanism] } : {}),
    ...(strimziAuthentication(pipeline) === 'scram-sha-512' ? { sasl: KEDA_SASL['scram-sha-512'] } : {}),
  };
  const auth = buildKafkaTriggerAuthentication(ctx);
  const spec: IScaledObject['spec'] = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.lakeWriter(pipeline) },
    minReplicaCount: min,
    maxReplicaCount: max,
    pollingInterval: 15,
    cooldownPeriod: 300,
    advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: scaleDown(ctx) } } },
    triggers: [
      {
        type: 'kafka',
        metadata,
        ...(auth ? { authenticationRef: { name: auth.metadata.name } } : {}),
      },
    ],
  };
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: childMeta(pipeline, names.lakeWriter(pipeline), 'lake-writer'),
    spec,
  };
}
