import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import { strimziNamespace } from '../builders/context.js';
import { buildDeadLetterTopic, buildKafkaTopic } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import { conditionFailed, conditionOk, getCondition, Reasons } from './conditions.js';
import { type ReconcileDeps, readSecret } from './deps.js';
import { applyIfChanged } from './observed.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';

export interface StrimziObject extends KubeObject {
  spec?: { replicas?: number; [key: string]: unknown };
  status?: {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    nodeIds?: number[];
  };
}

export const strimziReady = (obj: StrimziObject) => obj.status?.conditions?.find((c) => c.type === 'Ready');

/** TopicsReady: the topic and its dead-letter topic exist with the planned partitions. */
export const topicsStep: ReconcileStep = {
  name: 'topics',
  condition: 'TopicsReady',
  run(deps, ctx) {
    return ctx.pipeline.spec.kafka.mode === 'external' ? externalTopics(deps, ctx) : strimziTopics(deps, ctx);
  },
};

async function strimziTopics(deps: ReconcileDeps, ctx: StepContext): Promise<StepOutcome> {
  const { pipeline, plan } = ctx;
  const topicName = pipeline.spec.kafka.topic.name;
  const failed = (reason: string, message: string): StepOutcome => ({
    conditions: [conditionFailed('TopicsReady', reason, message)],
  });
  let topic: StrimziObject;
  try {
    const topics = [buildKafkaTopic(ctx), buildDeadLetterTopic(ctx)].filter((t) => t !== null);
    const applied = await Promise.all(topics.map((t) => applyIfChanged<StrimziObject>(deps, t)));
    topic = applied[0] as StrimziObject;
  } catch (err) {
    if (err instanceof KubeApiError && err.resourceMissing) {
      return failed(
        Reasons.StrimziNotInstalled,
        'The kafka.strimzi.io CRDs are not installed: install the Strimzi operator, or set spec.kafka.mode: external.',
      );
    }
    if (err instanceof KubeApiError && err.statusCode === 404) {
      return failed(
        Reasons.KafkaNamespaceMissing,
        `Namespace ${strimziNamespace(pipeline)} of the Kafka cluster does not exist: fix spec.kafka.strimzi.namespace.`,
      );
    }
    throw err;
  }
  const status = { topic: { name: topicName, partitions: plan.partitions } };
  const ready = strimziReady(topic);
  if (ready?.status === 'True') {
    return {
      conditions: [
        conditionOk(
          'TopicsReady',
          Reasons.TopicReady,
          `Topic ${topicName} has ${plan.partitions} partitions.`,
        ),
      ],
      status,
    };
  }
  return {
    ...failed(
      Reasons.TopicNotReady,
      ready?.message
        ? `Strimzi reports the KafkaTopic not ready: ${ready.message}`
        : 'Waiting for the Strimzi topic operator to report the KafkaTopic Ready.',
    ),
    status,
  };
}

/** Connection settings of the external cluster and the Secret version they came from; a string says what is missing. */
export async function externalKafkaSettings(
  deps: ReconcileDeps,
  pipeline: SpotifyPipeline,
): Promise<{ settings: KafkaEnv; secretVersion: string } | string> {
  const external = pipeline.spec.kafka.external;
  if (!external) return 'spec.kafka.external is missing.';
  const settings: KafkaEnv = {
    KAFKA_BROKERS: external.bootstrapServers.split(',').map((s) => s.trim()),
    KAFKA_CLIENT_ID: 'spotify-pipeline-operator',
    KAFKA_SSL: external.tls,
  };
  if (!external.credentialsSecret) return { settings, secretVersion: '' };
  const secret = await readSecret(deps.client, pipeline.metadata.namespace, external.credentialsSecret);
  if (!secret)
    return `Secret ${external.credentialsSecret} (spec.kafka.external.credentialsSecret) is missing: create it with KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.`;
  const mechanism = secret.data.KAFKA_SASL_MECHANISM;
  if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
    settings.KAFKA_SASL_MECHANISM = mechanism;
    settings.KAFKA_SASL_USERNAME = secret.data.KAFKA_SASL_USERNAME ?? '';
    settings.KAFKA_SASL_PASSWORD = secret.data.KAFKA_SASL_PASSWORD ?? '';
  }
  return { settings, secretVersion: secret.resourceVersion };
}

/**
 * Topic and dead-letter topic through the admin API, called off the worker's path (ExternalCalls): a
 * broker that does not answer leaves TopicsReady pending, then failed at the deadline.
 */
async function externalTopics(deps: ReconcileDeps, ctx: StepContext): Promise<StepOutcome> {
  const { pipeline, plan } = ctx;
  const found = await externalKafkaSettings(deps, pipeline);
  if (typeof found === 'string')
    return { conditions: [conditionFailed('TopicsReady', Reasons.KafkaSecretMissing, found)] };
  const topic = pipeline.spec.kafka.topic;
  const bootstrap = pipeline.spec.kafka.external?.bootstrapServers;
  const wanted = {
    partitions: plan.partitions,
    replicas: topic.replicas,
    retentionHours: topic.retentionHours,
  };
  const call = await deps.external.call<number>(
    ctx.key,
    'topics',
    `${pipeline.metadata.uid}/${pipeline.metadata.generation}/${found.secretVersion}/${plan.partitions}`,
    {
      deadlineMs: deps.timeouts.kafkaMs,
      maxAgeMs: deps.timeouts.recheckMs,
      describe: `Kafka at ${bootstrap}`,
    },
    async (signal) => {
      const [partitions] = await Promise.all([
        deps.kafka.ensureTopic(found.settings, { name: topic.name, ...wanted }, deps.logger, signal),
        deps.kafka.ensureTopic(found.settings, { name: `${topic.name}.dlq`, ...wanted }, deps.logger, signal),
      ]);
      return partitions;
    },
  );
  if (call.state === 'pending') {
    const previous = getCondition(ctx.previous, 'TopicsReady');
    return {
      conditions: [
        previous
          ? {
              type: 'TopicsReady',
              ok: previous.status === 'True',
              reason: previous.reason,
              message: previous.message,
            }
          : conditionFailed(
              'TopicsReady',
              Reasons.TopicCheckPending,
              `Waiting for Kafka at ${bootstrap} to answer (at most ${deps.timeouts.kafkaMs / 1000}s).`,
            ),
      ],
    };
  }
  if (call.state === 'done') {
    return {
      conditions: [
        conditionOk('TopicsReady', Reasons.TopicReady, `Topic ${topic.name} has ${call.value} partitions.`),
      ],
      status: { topic: { name: topic.name, partitions: call.value } },
    };
  }
  return {
    conditions: [
      conditionFailed(
        'TopicsReady',
        Reasons.KafkaUnreachable,
        `Kafka at ${bootstrap} (spec.kafka.external.bootstrapServers) did not accept the topic change: ${(call.error as Error).message}. Check bootstrapServers, credentials and the broker's ACLs.`,
      ),
    ],
    retry: true,
  };
}
