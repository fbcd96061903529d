import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import {
  type ChildObject,
  PIPELINE_LABEL,
  PIPELINE_NAMESPACE_LABEL,
  strimziNamespace,
} from '../builders/context.js';
import { buildKafkaTopics, pipelineTopics } from '../builders/kafka-topic.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import { conflictMessage, recordedClaims, topicClaim } from './claims.js';
import { conditionFailed, conditionOk, getCondition, Reasons } from './conditions.js';
import { pipelineSecret, type ReconcileDeps } from './deps.js';
import { applyIfChanged } from './observed.js';
import { cleanStaleKafkaTopics, RETAINED_ANNOTATION } from './stale-topics.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';

export interface StrimziObject extends KubeObject {
  spec?: { replicas?: number; [key: string]: unknown };
  status?: {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    nodeIds?: number[];
  };
}

export const strimziReady = (obj: StrimziObject) => obj.status?.conditions?.find((c) => c.type === 'Ready');

/**
 * TopicsReady: the topic, its dead-letter topic and its compacted catalog topics exist, owned by this
 * pipeline alone; the topics of a former name are cleaned up as deletionPolicy says.
 */
export const topicsStep: ReconcileStep = {
  name: 'topics',
  condition: 'TopicsReady',
  async run(deps, ctx) {
    const conflict = conflictMessage(ctx.claims, 'Topic');
    if (conflict) {
      return {
        conditions: [
          conditionFailed(
            'TopicsReady',
            Reasons.TopicClaimed,
            `${conflict}: choose another spec.kafka.topic.name (two pipelines on one topic would mix their events, and one's deletion would take the other's).`,
          ),
        ],
      };
    }
    const outcome =
      ctx.pipeline.spec.kafka.mode === 'external'
        ? await externalTopics(deps, ctx)
        : await strimziTopics(deps, ctx);
    const stale = await releaseStaleTopicClaims(deps, ctx);
    return {
      ...outcome,
      releasedClaims: stale.released,
      conditions: outcome.conditions.map((c) =>
        stale.notes.length ? { ...c, message: `${c.message} ${stale.notes.join('; ')}.` } : c,
      ),
    };
  },
};

/** Applies a KafkaTopic this pipeline may own: absent, ours, or released by a pipeline that had it. */
async function claimKafkaTopic(
  deps: ReconcileDeps,
  ctx: StepContext,
  desired: ChildObject,
): Promise<{ object: StrimziObject } | { foreign: string }> {
  const ref = {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    namespace: desired.metadata.namespace,
    name: desired.metadata.name,
  };
  // The watch cache only sees KafkaTopics the operator labelled; one made by hand needs a look.
  const cached = deps.observed?.(desired);
  const current = (cached ?? (await deps.client.getOrNull(ref))) as StrimziObject | null;
  const labels = current?.metadata?.labels ?? {};
  const owner = labels[PIPELINE_LABEL]
    ? `${labels[PIPELINE_NAMESPACE_LABEL]}/${labels[PIPELINE_LABEL]}`
    : null;
  const adoptable = current?.metadata?.annotations?.[RETAINED_ANNOTATION] !== undefined && !owner;
  if (!current || owner === ctx.key || adoptable)
    return { object: await applyIfChanged<StrimziObject>(deps, desired) };
  const topicName = (desired.spec as { topicName: string }).topicName;
  return {
    foreign: owner
      ? `KafkaTopic ${ref.namespace}/${ref.name} of topic ${topicName} belongs to pipeline ${owner}: choose another spec.kafka.topic.name.`
      : `KafkaTopic ${ref.namespace}/${ref.name} of topic ${topicName} exists and was not made by the operator: choose another spec.kafka.topic.name, or annotate it ${RETAINED_ANNOTATION} to let this pipeline take it over.`,
  };
}

async function strimziTopics(deps: ReconcileDeps, ctx: StepContext): Promise<StepOutcome> {
  const { pipeline, plan } = ctx;
  const topicName = pipeline.spec.kafka.topic.name;
  const failed = (reason: string, message: string): StepOutcome => ({
    conditions: [conditionFailed('TopicsReady', reason, message)],
  });
  const desired = buildKafkaTopics(ctx);
  let topics: StrimziObject[];
  try {
    const claimed = await Promise.all(desired.map((t) => claimKafkaTopic(deps, ctx, t)));
    const foreign = claimed.find((c) => 'foreign' in c);
    if (foreign && 'foreign' in foreign) return failed(Reasons.TopicClaimed, foreign.foreign);
    topics = claimed.map((c) => (c as { object: StrimziObject }).object);
    const done = await cleanStaleKafkaTopics(
      deps,
      pipeline,
      strimziNamespace(pipeline),
      desired.map((t) => ({ name: t.metadata.name, topicName: (t.spec as { topicName: string }).topicName })),
    );
    if (done.length) deps.logger.info({ pipeline: ctx.key, done }, 'cleaned up KafkaTopics');
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
  const served = deps.strimziApiVersion?.();
  const status = {
    topic: { name: topicName, partitions: plan.partitions },
    ...(served ? { strimziApiVersion: served } : {}),
  };
  const waiting = topics.find((t) => strimziReady(t)?.status !== 'True');
  if (!waiting) {
    return {
      conditions: [
        conditionOk(
          'TopicsReady',
          Reasons.TopicReady,
          `Topic ${topicName} has ${plan.partitions} partitions; its dead-letter and catalog topics are ready.`,
        ),
      ],
      status,
    };
  }
  const ready = strimziReady(waiting);
  const which = `KafkaTopic ${waiting.metadata?.name}`;
  return {
    ...failed(
      Reasons.TopicNotReady,
      ready?.message
        ? `Strimzi reports ${which} not ready: ${ready.message}`
        : `Waiting for the Strimzi topic operator to report ${which} Ready.`,
    ),
    status,
  };
}

/**
 * Topic claims the pipeline recorded but no longer wants (a renamed topic, another cluster): Strimzi
 * topics are cleaned up with the KafkaTopics above; an external topic is deleted through the admin API
 * under deletionPolicy Delete. A claim is let go of once its topic is dealt with.
 */
async function releaseStaleTopicClaims(
  deps: ReconcileDeps,
  ctx: StepContext,
): Promise<{ released: string[]; notes: string[] }> {
  const wanted = new Set(ctx.claims.held.map((c) => c.id));
  const stale = recordedClaims(ctx.pipeline).filter((id) => !wanted.has(id) && !id.startsWith('lake:'));
  const released: string[] = [];
  const notes: string[] = [];
  for (const id of stale) {
    const external = /^kafka:\/\/([^/]+)\/(.+)$/.exec(id);
    if (!external || ctx.pipeline.spec.deletionPolicy !== 'Delete') {
      released.push(id);
      continue;
    }
    const [, servers, topic] = external;
    const current = topicClaim(ctx.pipeline, ctx.pipeline.spec.kafka.topic.name).id;
    if (!current.startsWith(`kafka://${servers}/`)) {
      released.push(id);
      notes.push(
        `topic ${topic} on ${servers} is no longer this pipeline's; delete it there if it is not needed`,
      );
      continue;
    }
    const found = await externalKafkaSettings(deps, ctx);
    if (typeof found === 'string') continue;
    const call = await deps.external.call(
      ctx.key,
      `delete-topic ${topic}`,
      id,
      {
        deadlineMs: deps.timeouts.kafkaMs,
        maxAgeMs: Number.POSITIVE_INFINITY,
        describe: `Kafka at ${servers}`,
      },
      (signal) => deps.kafka.deleteTopic(found.settings, topic ?? '', deps.logger, signal),
    );
    if (call.state === 'done') {
      released.push(id);
      notes.push(`the former topic ${topic} is deleted (deletionPolicy Delete)`);
    }
  }
  return { released, notes };
}

/** Connection settings of the external cluster and the Secret version they came from; a string says what is missing. */
export async function externalKafkaSettings(
  deps: ReconcileDeps,
  ctx: StepContext,
): Promise<{ settings: KafkaEnv; secretVersion: string } | string> {
  const { pipeline } = ctx;
  const external = pipeline.spec.kafka.external;
  if (!external) return 'spec.kafka.external is missing.';
  const settings: KafkaEnv = {
    KAFKA_BROKERS: external.bootstrapServers.split(',').map((s) => s.trim()),
    KAFKA_CLIENT_ID: 'spotify-pipeline-operator',
    KAFKA_SSL: external.tls,
  };
  if (!external.credentialsSecret) return { settings, secretVersion: '' };
  const secret = await pipelineSecret(deps, ctx, external.credentialsSecret);
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
 * The pipeline's topics through the admin API, called off the worker's path (ExternalCalls): a broker that
 * does not answer leaves TopicsReady pending, then failed at the deadline.
 */
async function externalTopics(deps: ReconcileDeps, ctx: StepContext): Promise<StepOutcome> {
  const { pipeline, plan } = ctx;
  const found = await externalKafkaSettings(deps, ctx);
  if (typeof found === 'string')
    return { conditions: [conditionFailed('TopicsReady', Reasons.KafkaSecretMissing, found)] };
  const topic = pipeline.spec.kafka.topic;
  const bootstrap = pipeline.spec.kafka.external?.bootstrapServers;
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
      const [partitions = 0] = await Promise.all(
        pipelineTopics(ctx).map((wanted) =>
          deps.kafka.ensureTopic(
            found.settings,
            { ...wanted, replicas: topic.replicas },
            deps.logger,
            signal,
          ),
        ),
      );
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
