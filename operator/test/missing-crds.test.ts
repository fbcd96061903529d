// A pipeline applied before Strimzi and KEDA are installed: False conditions that say what to do, then
// convergence once their CRDs arrive (this file's API server starts without them).
import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import { kedaCrds } from './crds/keda.js';
import { strimziCrds } from './crds/strimzi.js';
import { API, condition, conditionReason, createBrokerPool, STRIMZI } from './fixtures.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';

const NS = 'music';
let kube: KubeInstance;
let s3: S3Instance;
let client: KubeClient;
let operator: RunningOperator;

beforeAll(async () => {
  [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await createNamespace(client, NS);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: createLogger({ name: 'missing-crds-test', level: process.env.LOG_LEVEL ?? 'warn' }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { notReadyRequeueMs: 1000, backoffBaseMs: 100, missingKindRetryMs: 1000 },
    external: { recheckMs: 0 },
  });
}, 240_000);

afterAll(async () => {
  await operator?.stop();
  client?.close();
  await Promise.all([kube?.stop(), s3?.stop()]);
});

describe('a pipeline before Strimzi and KEDA are installed', () => {
  it('reports the missing CRDs as False conditions that say what to do, then converges once they arrive', async () => {
    await client.apply({
      apiVersion: API,
      kind: 'SpotifyPipeline',
      metadata: { name: 'early', namespace: NS },
      spec: {
        audience: { users: 5_000_000 },
        kafka: { strimzi: { cluster: 'events' } },
        lake: { endpoint: s3.endpoint, bucket: 'lake-early', credentialsSecret: 'lake-creds' },
      },
    } as never);
    const topics = await conditionReason(client, NS, 'early', 'TopicsReady', 'StrimziNotInstalled');
    expect(topics.message).toMatch(/install the Strimzi operator, or set spec.kafka.mode: external/);
    expect(await condition(client, NS, 'early', 'BrokersReady')).toMatchObject({
      reason: 'StrimziNotInstalled',
    });
    expect(await condition(client, NS, 'early', 'WorkloadsReady')).toMatchObject({
      status: 'False',
      reason: 'KedaNotInstalled',
    });
    expect(await condition(client, NS, 'early', 'LakeReady')).toMatchObject({
      status: 'True',
      reason: 'BucketReady',
    });

    for (const crd of [...strimziCrds(), ...kedaCrds()]) await installCrd(client, crd);
    await createBrokerPool(client, NS, 'brokers');
    await conditionReason(client, NS, 'early', 'TopicsReady', 'TopicNotReady', 60_000);
    expect(
      await client.getOrNull({
        apiVersion: STRIMZI,
        kind: 'KafkaTopic',
        namespace: NS,
        name: 'listening-events',
      }),
    ).not.toBeNull();
    await conditionReason(client, NS, 'early', 'BrokersReady', 'BrokersSized', 60_000);
    expect(
      await waitFor('ScaledObject', () =>
        client.getOrNull({
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          namespace: NS,
          name: 'early-lake-writer',
        }),
      ),
    ).toBeTruthy();
  });
});
