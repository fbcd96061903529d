import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { stepContext, testWorld } from '../../test/support/reconcile-world.js';
import { SCALE_EVENT_ANNOTATION } from '../builders/kafka-brokers.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { planPipeline } from '../plan/capacity-plan.js';
import { resolveClaims } from './claims.js';
import { brokersStep } from './pipeline-brokers.js';
import type { StepContext } from './step.js';

const STRIMZI = 'kafka.strimzi.io/v1';
const poolRef = { apiVersion: STRIMZI, kind: 'KafkaNodePool', namespace: 'kafka', name: 'brokers' };
type Pool = {
  spec: { replicas: number };
  metadata: { annotations?: Record<string, string> };
  status?: { nodeIds?: number[] };
};
type Rebalance = { metadata: { name: string }; spec: { mode: string; brokers: number[] } };
const pool = (replicas: number) => ({
  apiVersion: STRIMZI,
  kind: 'KafkaNodePool',
  metadata: { name: 'brokers', namespace: 'kafka' },
  spec: { replicas, roles: ['broker'] },
  status: { nodeIds: Array.from({ length: replicas }, (_, i) => i) },
});

function contextFor(pipeline: SpotifyPipeline, all: SpotifyPipeline[] = [pipeline]): StepContext {
  return {
    ...stepContext(),
    pipeline,
    plan: planPipeline(pipeline.spec),
    key: `${pipeline.metadata.namespace}/${pipeline.metadata.name}`,
    claims: resolveClaims(pipeline, all),
  };
}

function named(name: string, spec: Record<string, unknown>, created: string): SpotifyPipeline {
  const p = testPipeline(spec);
  p.metadata = { ...p.metadata, name, uid: `uid-${name}`, creationTimestamp: created };
  return p;
}

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

  it('scales up and down twice, each event with a rebalance of its own, done in order and cleaned up', async () => {
    const { kube, deps } = testWorld();
    kube.put(pool(3));
    const big = contextFor(named('wrapped', { audience: { users: 500_000_000 } }, '2026-01-01T00:00:00Z'));
    const small = contextFor(named('wrapped', {}, '2026-01-01T00:00:00Z'));
    const rebalances = () => kube.all<Rebalance>(STRIMZI, 'KafkaRebalance');
    const markReady = (name: string) => {
      const r = kube.peek({ apiVersion: STRIMZI, kind: 'KafkaRebalance', namespace: 'kafka', name });
      kube.put({ ...r, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    };
    const names: string[] = [];
    for (let round = 0; round < 2; round++) {
      // up: replicas first, the rebalance only once Strimzi reports the new brokers
      expect((await brokersStep.run(deps, big)).conditions[0]).toMatchObject({ reason: 'RebalancePending' });
      expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(12);
      expect(rebalances()).toEqual([]);
      kube.put({ ...kube.peek<Pool>(poolRef), status: { nodeIds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } });
      expect((await brokersStep.run(deps, big)).conditions[0]).toMatchObject({ reason: 'RebalancePending' });
      const [add] = rebalances();
      expect(add?.spec).toEqual({ mode: 'add-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
      names.push(add?.metadata.name ?? '');
      markReady(add?.metadata.name ?? '');
      expect((await brokersStep.run(deps, big)).conditions[0]).toMatchObject({
        ok: true,
        reason: 'BrokersSized',
      });
      expect(rebalances()).toEqual([]);
      expect(kube.peek<Pool>(poolRef)?.metadata.annotations?.[SCALE_EVENT_ANNOTATION]).toBeUndefined();

      // down: remove-brokers first; the pool keeps its brokers until Strimzi says the rebalance is done
      expect((await brokersStep.run(deps, small)).conditions[0]).toMatchObject({
        reason: 'RebalancePending',
      });
      const [remove] = rebalances();
      expect(remove?.spec).toEqual({ mode: 'remove-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
      names.push(remove?.metadata.name ?? '');
      expect((await brokersStep.run(deps, small)).conditions[0]).toMatchObject({
        reason: 'RebalancePending',
      });
      expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(12);
      markReady(remove?.metadata.name ?? '');
      const done = await brokersStep.run(deps, small);
      expect(done).toMatchObject({
        conditions: [{ ok: true, reason: 'BrokersSized' }],
        status: { brokers: 3 },
      });
      expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(3);
      expect(rebalances()).toEqual([]);
      kube.put({ ...kube.peek<Pool>(poolRef), status: { nodeIds: [0, 1, 2] } });
    }
    expect(new Set(names).size).toBe(4);
  });

  it('sizes a shared pool from the sum of its pipelines; only the oldest scales it, the others report', async () => {
    const { kube, deps } = testWorld();
    kube.put(pool(3));
    const a = named('a', { audience: { users: 10_000_000 } }, '2026-01-01T00:00:00Z');
    const b = named('b', { audience: { users: 10_000_000 } }, '2026-01-02T00:00:00Z');
    const all = [a, b];
    deps.pipelines = () => all;
    // 10M listeners need 2.9 brokers of traffic: 3 alone, 6 together
    expect(planPipeline(a.spec).brokers).toBe(3);
    // b is not the owner: it changes nothing
    const member = await brokersStep.run(deps, contextFor(b, all));
    expect(member.conditions[0]).toMatchObject({ ok: true, reason: 'BrokersSized' });
    expect(member.conditions[0]?.message).toContain('2 pipelines');
    expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(3);
    await brokersStep.run(deps, contextFor(a, all));
    expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(6);
    // a typo in b's audience: b itself touches nothing, and the owner's bounds hold the pool
    const typo = named('b', { audience: { users: 10_000_000_000 } }, '2026-01-02T00:00:00Z');
    deps.pipelines = () => [a, typo];
    await brokersStep.run(deps, contextFor(typo, [a, typo]));
    expect(kube.peek<Pool>(poolRef)?.spec.replicas).toBe(6);
    expect(planPipeline(typo.spec).capped.join()).toContain('brokers');
  });
});
