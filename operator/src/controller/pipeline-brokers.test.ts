import { describe, expect, it } from 'vitest';
import { brokersStep } from './pipeline-brokers.js';
import { stepContext, testWorld } from './test-deps.js';

const STRIMZI = 'kafka.strimzi.io/v1beta2';
const poolRef = { apiVersion: STRIMZI, kind: 'KafkaNodePool', namespace: 'kafka', name: 'brokers' };
const pool = (replicas: number) => ({
  apiVersion: STRIMZI,
  kind: 'KafkaNodePool',
  metadata: { name: 'brokers', namespace: 'kafka' },
  spec: { replicas, roles: ['broker'] },
});

describe('brokers step', () => {
  it('is not managed with external Kafka', async () => {
    const { deps } = testWorld();
    const outcome = await brokersStep.run(
      deps,
      stepContext({ kafka: { mode: 'external', external: { bootstrapServers: 'k:9092' } } }),
    );
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'BrokersNotManaged' });
  });

  it('names the pool field when the pool does not exist', async () => {
    const { deps } = testWorld();
    const outcome = await brokersStep.run(deps, stepContext());
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'BrokerPoolNotFound' });
    expect(outcome.conditions[0]?.message).toContain('spec.kafka.strimzi.brokerPool');
  });

  it('scales up at once, and scales down only after the remove-brokers rebalance is Ready', async () => {
    const { kube, deps } = testWorld();
    kube.put(pool(3));
    const big = stepContext({ audience: { users: 500_000_000 } });
    const up = await brokersStep.run(deps, big);
    expect(up.conditions[0]).toMatchObject({ ok: true, reason: 'BrokersSized' });
    expect(kube.peek<{ spec: { replicas: number } }>(poolRef)?.spec.replicas).toBe(big.plan.brokers);
    expect(kube.all(STRIMZI, 'KafkaRebalance')).toHaveLength(1);

    const small = stepContext();
    const pending = await brokersStep.run(deps, small);
    expect(pending.conditions[0]).toMatchObject({ ok: false, reason: 'RebalancePending' });
    expect(kube.peek<{ spec: { replicas: number } }>(poolRef)?.spec.replicas).toBe(big.plan.brokers);
  });
});
