import { strimziNamespace } from '../builders/context.js';
import { buildKafkaRebalance, buildNodePoolReplicas } from '../builders/kafka-brokers.js';
import { STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import { KubeApiError } from '../kube/api.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import { applyIfChanged } from './observed.js';
import { type StrimziObject, strimziReady } from './pipeline-topics.js';
import type { ReconcileStep, StepOutcome } from './step.js';

/**
 * BrokersReady: the broker KafkaNodePool within [minBrokers, maxBrokers] from the plan. Scale-up: raise
 * replicas, then add-brokers. Scale-down: remove-brokers first, lower replicas only once Strimzi says that
 * rebalance is Ready.
 */
export const brokersStep: ReconcileStep = {
  name: 'brokers',
  condition: 'BrokersReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline, plan } = ctx;
    const strimzi = pipeline.spec.kafka.mode === 'strimzi' ? pipeline.spec.kafka.strimzi : undefined;
    if (!strimzi) {
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
    const namespace = strimziNamespace(pipeline);
    let pool: StrimziObject | null;
    try {
      pool = await deps.client.getOrNull<StrimziObject>({
        apiVersion: STRIMZI_API_VERSION,
        kind: 'KafkaNodePool',
        namespace,
        name: strimzi.brokerPool,
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.resourceMissing) {
        return {
          conditions: [
            conditionFailed(
              'BrokersReady',
              Reasons.StrimziNotInstalled,
              'The kafka.strimzi.io CRDs are not installed: install the Strimzi operator, or set spec.kafka.mode: external.',
            ),
          ],
        };
      }
      throw err;
    }
    if (!pool) {
      return {
        conditions: [
          conditionFailed(
            'BrokersReady',
            Reasons.BrokerPoolNotFound,
            `KafkaNodePool ${namespace}/${strimzi.brokerPool} does not exist: create the broker pool or fix spec.kafka.strimzi.brokerPool.`,
          ),
        ],
      };
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
      const applied = await applyIfChanged<StrimziObject>(deps, rebalance);
      if (strimziReady(applied)?.status !== 'True') {
        return {
          conditions: [
            conditionFailed(
              'BrokersReady',
              Reasons.RebalancePending,
              `Moving replicas off brokers ${JSON.stringify((rebalance.spec as { brokers: number[] }).brokers)} (KafkaRebalance ${rebalance.metadata.name}) before scaling ${current} -> ${desired}.`,
            ),
          ],
          status: { brokers: current },
        };
      }
      await deps.client.apply(scale);
    }
    return {
      conditions: [
        conditionOk(
          'BrokersReady',
          Reasons.BrokersSized,
          `KafkaNodePool ${namespace}/${strimzi.brokerPool} has ${desired} brokers.`,
        ),
      ],
      status: { brokers: desired },
    };
  },
};
