import {
  buildKafkaRebalance,
  buildNodePool,
  changedBrokerIds,
  newScaleEvent,
  parseScaleEvent,
  rebalanceName,
  SCALE_EVENT_ANNOTATION,
  type ScaleEvent,
} from '../builders/kafka-brokers.js';
import { STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import { isConflict, KubeApiError } from '../kube/api.js';
import { type BrokerPoolPlan, brokerPoolKey, planBrokerPool } from '../plan/broker-pool.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { type StrimziObject, strimziReady } from './pipeline-topics.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';

interface Pool {
  namespace: string;
  name: string;
  object: StrimziObject;
  current: number;
  event: ScaleEvent | null;
  plan: BrokerPoolPlan;
}

const failed = (reason: string, message: string, brokers?: number): StepOutcome => ({
  conditions: [conditionFailed('BrokersReady', reason, message)],
  ...(brokers === undefined ? {} : { status: { brokers } }),
});

/**
 * BrokersReady: the broker KafkaNodePool sized for every pipeline on it (plan/broker-pool.ts). Only the
 * pool's owner (its oldest pipeline) scales it, one scale event at a time, each with a KafkaRebalance of
 * its own: scale-up raises replicas, waits for Strimzi to add the brokers, then add-brokers moves replicas
 * onto them; scale-down runs remove-brokers first and lowers replicas once Strimzi reports it Ready. A
 * finished rebalance is deleted. The other pipelines on the pool report what it is doing.
 */
export const brokersStep: ReconcileStep = {
  name: 'brokers',
  condition: 'BrokersReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const key = brokerPoolKey(ctx.pipeline);
    if (!key) {
      return {
        conditions: [
          conditionOk(
            'BrokersReady',
            Reasons.BrokersNotManaged,
            'External Kafka: its brokers are not managed here.',
          ),
        ],
      };
    }
    const found = await readPool(deps, ctx, key);
    if ('conditions' in found) return found;
    const pool = found;
    if (pool.plan.owner !== ctx.key) return memberReport(pool);
    if (pool.event) return advance(deps, ctx, pool, pool.event);
    const target = pool.plan.brokers;
    if (target === pool.current) {
      return {
        conditions: [conditionOk('BrokersReady', Reasons.BrokersSized, `${pool.plan.explanation}.`)],
        status: { brokers: pool.current },
      };
    }
    const nodeIds = pool.object.status?.nodeIds ?? Array.from({ length: pool.current }, (_, i) => i);
    if (target > pool.current) {
      const event = newScaleEvent('add-brokers', pool.current, target, nodeIds);
      await deps.client.apply(buildNodePool(pool.namespace, pool.name, target, event));
      return failed(
        Reasons.RebalancePending,
        `Scaling KafkaNodePool ${key} ${pool.current} -> ${target}: waiting for Strimzi to start the new brokers; then KafkaRebalance ${rebalanceName(pool.name, event)} moves replicas onto them.`,
        target,
      );
    }
    const event = newScaleEvent(
      'remove-brokers',
      pool.current,
      target,
      changedBrokerIds(nodeIds, pool.current, target),
    );
    await deps.client.apply(buildNodePool(pool.namespace, pool.name, pool.current, event));
    return advance(deps, ctx, pool, event);
  },
};

async function readPool(deps: ReconcileDeps, ctx: StepContext, key: string): Promise<Pool | StepOutcome> {
  const [namespace = '', name = ''] = key.split('/');
  let object: StrimziObject | null;
  try {
    object = await deps.client.getOrNull<StrimziObject>({
      apiVersion: STRIMZI_API_VERSION,
      kind: 'KafkaNodePool',
      namespace,
      name,
    });
  } catch (err) {
    if (err instanceof KubeApiError && err.resourceMissing) {
      return failed(
        Reasons.StrimziNotInstalled,
        'The kafka.strimzi.io CRDs are not installed: install the Strimzi operator, or set spec.kafka.mode: external.',
      );
    }
    throw err;
  }
  if (!object) {
    return failed(
      Reasons.BrokerPoolNotFound,
      `KafkaNodePool ${key} does not exist: create the broker pool or fix spec.kafka.strimzi.brokerPool.`,
    );
  }
  const others = deps.pipelines().filter((p) => p.metadata.uid !== ctx.pipeline.metadata.uid);
  const plan = planBrokerPool(key, [...others, ctx.pipeline]);
  if (!plan) throw new Error(`no pipeline on KafkaNodePool ${key}`);
  return {
    namespace,
    name,
    object,
    current: object.spec?.replicas ?? 0,
    event: parseScaleEvent(object.metadata?.annotations?.[SCALE_EVENT_ANNOTATION]),
    plan,
  };
}

function memberReport(pool: Pool): StepOutcome {
  const key = `${pool.namespace}/${pool.name}`;
  if (pool.event) {
    return failed(
      Reasons.RebalancePending,
      `KafkaNodePool ${key} is being scaled ${pool.event.from} -> ${pool.event.to} by pipeline ${pool.plan.owner} (KafkaRebalance ${rebalanceName(pool.name, pool.event)}).`,
      pool.current,
    );
  }
  return {
    conditions: [
      conditionOk(
        'BrokersReady',
        Reasons.BrokersSized,
        `${pool.plan.explanation}; it has ${pool.current} brokers now.`,
      ),
    ],
    status: { brokers: pool.current },
  };
}

/** One step of the pool's current scale event. */
async function advance(
  deps: ReconcileDeps,
  ctx: StepContext,
  pool: Pool,
  event: ScaleEvent,
): Promise<StepOutcome> {
  const key = `${pool.namespace}/${pool.name}`;
  const name = rebalanceName(pool.name, event);
  const ref = {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaRebalance',
    metadata: { namespace: pool.namespace, name },
  };
  const cached = deps.observed?.(ref);
  let rebalance = (
    cached !== undefined
      ? cached
      : await deps.client.getOrNull({
          apiVersion: STRIMZI_API_VERSION,
          kind: 'KafkaRebalance',
          namespace: pool.namespace,
          name,
        })
  ) as StrimziObject | null;
  if (!rebalance) {
    let brokers = event.nodeIds;
    if (event.mode === 'add-brokers') {
      const now = pool.object.status?.nodeIds ?? [];
      brokers = now.filter((id) => !event.nodeIds.includes(id)).sort((a, b) => a - b);
      if (brokers.length < event.to - event.from) {
        return failed(
          Reasons.RebalancePending,
          `Scaling KafkaNodePool ${key} ${event.from} -> ${event.to}: waiting for Strimzi to start the new brokers (${brokers.length} of ${event.to - event.from} so far); then KafkaRebalance ${name} moves replicas onto them.`,
          pool.current,
        );
      }
    }
    const built = buildKafkaRebalance(ctx.pipeline, pool.namespace, pool.name, event, brokers);
    if (built)
      await deps.client.create(built).catch((err: unknown) => {
        if (!isConflict(err)) throw err;
      });
    rebalance = built as StrimziObject | null;
  }
  const brokers = (rebalance?.spec as { brokers?: number[] } | undefined)?.brokers ?? event.nodeIds;
  const ready = strimziReady(rebalance ?? {});
  if (ready?.status === 'True') {
    const final = event.mode === 'add-brokers' ? pool.current : event.to;
    await deps.client.apply(buildNodePool(pool.namespace, pool.name, final, null));
    await deps.client.delete({
      apiVersion: STRIMZI_API_VERSION,
      kind: 'KafkaRebalance',
      namespace: pool.namespace,
      name,
    });
    return {
      conditions: [
        conditionOk(
          'BrokersReady',
          Reasons.BrokersSized,
          `KafkaNodePool ${key} scaled ${event.from} -> ${event.to}; KafkaRebalance ${name} moved the replicas and is removed.`,
        ),
      ],
      status: { brokers: final },
    };
  }
  const notReady = rebalance?.status?.conditions?.find((c) => c.type === 'NotReady' && c.status === 'True');
  if (notReady) {
    return failed(
      Reasons.RebalanceFailed,
      `Strimzi reports KafkaRebalance ${pool.namespace}/${name} NotReady: ${notReady.message ?? notReady.reason ?? 'no message'}. Fix the cause and annotate it strimzi.io/rebalance=refresh, or delete it to have it created again.`,
      pool.current,
    );
  }
  return failed(
    Reasons.RebalancePending,
    event.mode === 'add-brokers'
      ? `Moving replicas onto the new brokers ${JSON.stringify(brokers)} of KafkaNodePool ${key} (KafkaRebalance ${name}).`
      : `Moving replicas off brokers ${JSON.stringify(brokers)} (KafkaRebalance ${name}) before scaling KafkaNodePool ${key} ${event.from} -> ${event.to}.`,
    pool.current,
  );
}
