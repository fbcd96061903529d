// Broker scaling against the real API server, twice up and down: one KafkaRebalance per scale event with
// a name of its own, created after the new brokers exist, completed before brokers are removed, deleted
// when done. Strimzi's cluster operator cannot run here: the test writes the status it would write (the
// pool's node ids after a scale-up, a rebalance's Ready condition when Cruise Control is done).
import { type KubeInstance, startKubeApiServer } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import { kedaCrds } from './crds/keda.js';
import { strimziCrds } from './crds/strimzi.js';
import { API, condition, conditionReason, createBrokerPool, type Obj, STRIMZI } from './fixtures.js';
import { createNamespace, installCrd, pipelineCrd, testClient, waitFor } from './kube-helpers.js';

const NS = 'music';
const KAFKA_NS = 'kafka';
let kube: KubeInstance;
let client: KubeClient;
let operator: RunningOperator;

beforeAll(async () => {
  kube = await startKubeApiServer();
  client = testClient(kube.kubeconfigPath);
  for (const crd of [pipelineCrd(), ...strimziCrds(), ...kedaCrds()]) await installCrd(client, crd);
  await Promise.all([createNamespace(client, NS), createNamespace(client, KAFKA_NS)]);
  operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: createLogger({ name: 'rebalance-test', level: process.env.LOG_LEVEL ?? 'warn' }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { notReadyRequeueMs: 500, backoffBaseMs: 100 },
  });
}, 240_000);

afterAll(async () => {
  await operator?.stop();
  client?.close();
  await kube?.stop();
});

const pool = () =>
  client.get<Obj>({ apiVersion: STRIMZI, kind: 'KafkaNodePool', namespace: KAFKA_NS, name: 'scaling' });
const rebalances = async () =>
  (
    await client.list<Obj>(
      { apiVersion: STRIMZI, kind: 'KafkaRebalance', namespace: KAFKA_NS },
      { labelSelector: 'pipeline.spotify-pipeline.io/name=scaler' },
    )
  ).items;

/** What Strimzi writes on the pool once its brokers run. */
async function brokersRun(count: number) {
  await client.request('PATCH', `/apis/${STRIMZI}/namespaces/${KAFKA_NS}/kafkanodepools/scaling/status`, {
    body: { status: { nodeIds: Array.from({ length: count }, (_, i) => i), replicas: count } },
    contentType: 'application/merge-patch+json',
  });
}

/** What Strimzi writes on a KafkaRebalance once Cruise Control has moved the replicas. */
async function rebalanceDone(name: string) {
  await client.request('PATCH', `/apis/${STRIMZI}/namespaces/${KAFKA_NS}/kafkarebalances/${name}/status`, {
    body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    contentType: 'application/merge-patch+json',
  });
}

const audience = (users: number) =>
  client.apply({
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name: 'scaler', namespace: NS },
    spec: {
      audience: { users },
      kafka: { strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: 'scaling' } },
      lakeWriter: { autoscaler: 'none' },
      lake: { endpoint: 'http://s3.invalid:9000', bucket: 'lake-scaler', credentialsSecret: 'lake-creds' },
    },
  } as never);

describe('broker scaling', () => {
  it('up and down twice: each event its own rebalance, in order, cleaned up when done', async () => {
    await createBrokerPool(client, KAFKA_NS, 'scaling', 3);
    await brokersRun(3);
    await audience(5_000_000);
    await conditionReason(client, NS, 'scaler', 'BrokersReady', 'BrokersSized');
    const names = new Set<string>();
    for (let round = 1; round <= 2; round++) {
      // up: replicas first; the rebalance only once the new brokers exist
      await audience(500_000_000);
      await waitFor('pool of 12', async () => (await pool()).spec?.replicas === 12);
      const waiting = await conditionReason(client, NS, 'scaler', 'BrokersReady', 'RebalancePending');
      expect(waiting.message).toContain('waiting for Strimzi to start the new brokers');
      expect(await rebalances()).toEqual([]);
      await brokersRun(12);
      const [add] = await waitFor('add-brokers', async () => {
        const found = await rebalances();
        return found.length ? found : null;
      });
      expect(add?.spec).toEqual({ mode: 'add-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
      expect(add?.metadata?.annotations?.['strimzi.io/rebalance-auto-approval']).toBe('true');
      names.add(add?.metadata?.name ?? '');
      await rebalanceDone(add?.metadata?.name ?? '');
      await waitFor('add-brokers cleaned up', async () => (await rebalances()).length === 0);
      await conditionReason(client, NS, 'scaler', 'BrokersReady', 'BrokersSized');

      // down: remove-brokers first, and the pool keeps its brokers until Strimzi says it is done
      await audience(5_000_000);
      const [remove] = await waitFor('remove-brokers', async () => {
        const found = await rebalances();
        return found.length ? found : null;
      });
      expect(remove?.spec).toEqual({ mode: 'remove-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
      expect(names.has(remove?.metadata?.name ?? '')).toBe(false);
      names.add(remove?.metadata?.name ?? '');
      await new Promise((r) => setTimeout(r, 2000));
      expect((await pool()).spec?.replicas).toBe(12);
      expect(await condition(client, NS, 'scaler', 'BrokersReady')).toMatchObject({
        reason: 'RebalancePending',
      });
      await rebalanceDone(remove?.metadata?.name ?? '');
      await waitFor('pool of 3', async () => (await pool()).spec?.replicas === 3);
      await waitFor('remove-brokers cleaned up', async () => (await rebalances()).length === 0);
      await brokersRun(3);
      await conditionReason(client, NS, 'scaler', 'BrokersReady', 'BrokersSized');
    }
    expect(names.size).toBe(4);
    expect(
      (await pool()).metadata?.annotations?.['pipeline.spotify-pipeline.io/scale-event'],
    ).toBeUndefined();
  });
});
