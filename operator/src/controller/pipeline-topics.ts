import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import type { BuildContext, ChildObject } from '../builders/context.js';
import { buildKafkaRebalance, buildNodePoolReplicas } from '../builders/kafka-brokers.js';
import { buildDeadLetterTopic, buildKafkaTopic } from '../builders/kafka-topic.js';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { KubeApiError, type KubeObject } from '../kube/client.js';
import { Reasons, setCondition } from './conditions.js';
import { type ReconcileDeps, readSecret } from './deps.js';
import { applyIfChanged } from './observed.js';

interface StrimziStatus extends KubeObject {
  spec?: { replicas?: number };
  status?: { conditions?: Array<{ type: string; status: string; message?: string }>; nodeIds?: number[] };
}

const readyOf = (obj: StrimziStatus) => obj.status?.conditions?.find((c) => c.type === 'Ready');

/** TopicsReady: the topic exists with the planned partitions (and, with Strimzi, the brokers are sized). */
export async function reconcileTopics(
  deps: ReconcileDeps,
  ctx: BuildContext,
  status: PipelineStatus,
): Promise<void> {
  const { pipeline } = ctx;
  const gen = pipeline.metadata.generation;
  if (pipeline.spec.kafka.mode === 'external') return reconcileExternal(deps, ctx, status);
  const set = (ok: boolean, reason: string, message: string) =>
    setCondition(status, 'TopicsReady', ok, reason, message, gen);

  let topic: StrimziStatus;
  try {
    const topics = [buildKafkaTopic(ctx), buildDeadLetterTopic(ctx)].filter(
      (t): t is ChildObject => t !== null,
    );
    const applied = await Promise.all(topics.map((t) => applyIfChanged<StrimziStatus>(deps, t)));
    topic = applied[0] as StrimziStatus;
  } catch (err) {
    if (err instanceof KubeApiError && err.resourceMissing) {
      return set(
        false,
        Reasons.StrimziNotInstalled,
        'The kafka.strimzi.io CRDs are not installed: install the Strimzi operator, or set spec.kafka.mode: external.',
      );
    }
    if (err instanceof KubeApiError && err.statusCode === 404) {
      return set(
        false,
        Reasons.KafkaNamespaceMissing,
        `Namespace ${topic_ns(ctx)} of the Kafka cluster does not exist: fix spec.kafka.strimzi.namespace.`,
      );
    }
    throw err;
  }
  status.topic = { name: pipeline.spec.kafka.topic.name, partitions: ctx.plan.partitions };

  const brokersReady = await reconcileBrokers(deps, ctx, status, set);
  if (!brokersReady) return;
  const ready = readyOf(topic);
  if (ready?.status === 'True') {
    set(
      true,
      Reasons.TopicReady,
      `Topic ${pipeline.spec.kafka.topic.name} has ${ctx.plan.partitions} partitions.`,
    );
  } else {
    set(
      false,
      Reasons.TopicNotReady,
      ready?.message
        ? `Strimzi reports the KafkaTopic not ready: ${ready.message}`
        : 'Waiting for the Strimzi topic operator to report the KafkaTopic Ready.',
    );
  }
}

const topic_ns = (ctx: BuildContext) =>
  ctx.pipeline.spec.kafka.strimzi?.namespace ?? ctx.pipeline.metadata.namespace;

/**
 * Broker pool within [minBrokers, maxBrokers] from the plan. Scale-up: raise replicas, then add-brokers.
 * Scale-down: remove-brokers first, lower replicas only once Strimzi says that rebalance is Ready.
 */
async function reconcileBrokers(
  deps: ReconcileDeps,
  ctx: BuildContext,
  status: PipelineStatus,
  set: (ok: boolean, reason: string, message: string) => void,
): Promise<boolean> {
  const { pipeline, plan } = ctx;
  const strimzi = pipeline.spec.kafka.strimzi;
  if (!strimzi) return true;
  const namespace = topic_ns(ctx);
  const pool = await deps.client.getOrNull<StrimziStatus>({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaNodePool',
    namespace,
    name: strimzi.brokerPool,
  });
  if (!pool) {
    set(
      false,
      Reasons.BrokerPoolNotFound,
      `KafkaNodePool ${namespace}/${strimzi.brokerPool} does not exist: create the broker pool or fix spec.kafka.strimzi.brokerPool.`,
    );
    return false;
  }
  const current = pool.spec?.replicas ?? 0;
  const desired = plan.brokers;
  const nodeIds = pool.status?.nodeIds ?? Array.from({ length: current }, (_, i) => i);
  const rebalance = buildKafkaRebalance(pipeline, current, desired, nodeIds);
  const scale = buildNodePoolReplicas(pipeline, desired);
  if (desired > current && scale) {
    await deps.client.apply(scale);
    if (rebalance) await applyIfChanged(deps, rebalance);
  } else if (desired < current && scale && rebalance) {
    const applied = await applyIfChanged<StrimziStatus>(deps, rebalance);
    if (readyOf(applied)?.status !== 'True') {
      status.brokers = current;
      set(
        false,
        Reasons.RebalancePending,
        `Moving replicas off brokers ${JSON.stringify((rebalance.spec as { brokers: number[] }).brokers)} (KafkaRebalance ${rebalance.metadata.name}) before scaling ${current} -> ${desired}.`,
      );
      return false;
    }
    await deps.client.apply(scale);
  }
  status.brokers = desired;
  return true;
}

async function reconcileExternal(
  deps: ReconcileDeps,
  ctx: BuildContext,
  status: PipelineStatus,
): Promise<void> {
  const { pipeline, plan } = ctx;
  const external = pipeline.spec.kafka.external;
  const gen = pipeline.metadata.generation;
  if (!external) return;
  const settings: KafkaEnv = {
    KAFKA_BROKERS: external.bootstrapServers.split(',').map((s) => s.trim()),
    KAFKA_CLIENT_ID: 'spotify-pipeline-operator',
    KAFKA_SSL: external.tls,
  };
  if (external.credentialsSecret) {
    const secret = await readSecret(deps.client, pipeline.metadata.namespace, external.credentialsSecret);
    if (!secret) {
      return setCondition(
        status,
        'TopicsReady',
        false,
        Reasons.KafkaSecretMissing,
        `Secret ${external.credentialsSecret} is missing: create it with KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.`,
        gen,
      );
    }
    const mechanism = secret.data.KAFKA_SASL_MECHANISM;
    if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
      settings.KAFKA_SASL_MECHANISM = mechanism;
      settings.KAFKA_SASL_USERNAME = secret.data.KAFKA_SASL_USERNAME ?? '';
      settings.KAFKA_SASL_PASSWORD = secret.data.KAFKA_SASL_PASSWORD ?? '';
    }
  }
  const topic = pipeline.spec.kafka.topic;
  try {
    const wanted = {
      partitions: plan.partitions,
      replicas: topic.replicas,
      retentionHours: topic.retentionHours,
    };
    const [partitions] = await Promise.all([
      deps.kafka.ensureTopic(settings, { name: topic.name, ...wanted }, deps.logger),
      deps.kafka.ensureTopic(settings, { name: `${topic.name}.dlq`, ...wanted }, deps.logger),
    ]);
    status.topic = { name: topic.name, partitions };
    setCondition(
      status,
      'TopicsReady',
      true,
      Reasons.TopicReady,
      `Topic ${topic.name} has ${partitions} partitions.`,
      gen,
    );
  } catch (err) {
    setCondition(
      status,
      'TopicsReady',
      false,
      Reasons.KafkaUnreachable,
      `Kafka at ${external.bootstrapServers} did not accept the topic change: ${(err as Error).message}. Check bootstrapServers, credentials and the broker's ACLs.`,
      gen,
    );
  }
}
