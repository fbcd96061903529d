// Endpoints that accept connections and never answer (object store, Kafka bootstrap) must cost only their
// own pipelines: the others keep converging, health stays up, nothing leaks.
import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import { API, condition, conditionReason, conditionsOf } from './fixtures.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';
import { startSilentServer } from './silent-server.js';

const NS = 'music';
let kube: KubeInstance;
let s3: S3Instance;
let silent: Awaited<ReturnType<typeof startSilentServer>>;
let client: KubeClient;
let operator: RunningOperator;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  [kube, s3, silent] = await Promise.all([startKubeApiServer(), startS3(), startSilentServer()]);
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await createNamespace(client, NS);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  process.on('warning', onWarning);
  operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: createLogger({ name: 'hung-endpoint-test', level: process.env.LOG_LEVEL ?? 'error' }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    // Two workers and more hostile pipelines than workers: a hung call that held a worker would hold them all.
    controller: { workers: 2, notReadyRequeueMs: 1000, backoffBaseMs: 100 },
    external: { lakeMs: 3000, kafkaMs: 3000 },
  });
}, 240_000);

afterAll(async () => {
  process.off('warning', onWarning);
  await operator?.stop();
  client?.close();
  await Promise.all([kube?.stop(), s3?.stop(), silent?.stop()]);
});

function pipeline(
  name: string,
  endpoint: string,
  kafka: Record<string, unknown> = { strimzi: { cluster: 'events' } },
) {
  return {
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 100_000 },
      kafka,
      lakeWriter: { autoscaler: 'none' },
      lake: { endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
    },
  };
}

describe('an object store and a Kafka that accept connections and never answer', () => {
  it('fail only their own pipelines, within their deadline; every other pipeline converges and health stays up', async () => {
    const hung = `http://127.0.0.1:${silent.port}`;
    const hostile = ['hung-a', 'hung-b', 'hung-c'];
    for (const name of hostile) await client.apply(pipeline(name, hung) as never);
    await client.apply(
      pipeline('hung-kafka', s3.endpoint, {
        mode: 'external',
        external: { bootstrapServers: `127.0.0.1:${silent.port}` },
      }) as never,
    );
    await waitFor('the hung endpoint to be called', async () => silent.connections() >= 2);

    let unready = 0;
    const sampler = setInterval(() => {
      if (!operator.ready() || operator.unhealthy() !== null) unready++;
    }, 100);
    const healthy = Array.from({ length: 6 }, (_, i) => `healthy-${i}`);
    for (const name of healthy) await client.apply(pipeline(name, s3.endpoint) as never);
    for (const name of healthy) await conditionReason(client, NS, name, 'LakeReady', 'BucketReady', 60_000);
    clearInterval(sampler);
    expect(unready).toBe(0);
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'unused',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    for (const name of healthy) expect(await store.bucketExists(`lake-${name}`)).toBe(true);

    for (const name of hostile) {
      const lake = await conditionReason(client, NS, name, 'LakeReady', 'LakeUnreachable', 60_000);
      expect(lake.message).toContain(`the object store at ${hung} did not answer within 3s`);
      // the rest of the hostile pipeline is still reconciled and reported
      const types = (await conditionsOf(client, NS, name)).map((c) => c.type).sort();
      expect(types).toEqual([
        'BrokersReady',
        'CapacityPlanned',
        'LakeReady',
        'Ready',
        'ScheduleReady',
        'TopicsReady',
        'WorkloadsReady',
      ]);
    }
    const kafka = await conditionReason(client, NS, 'hung-kafka', 'TopicsReady', 'KafkaUnreachable', 60_000);
    expect(kafka.message).toContain('did not answer within 3s');
    expect(await condition(client, NS, 'hung-kafka', 'LakeReady')).toMatchObject({ status: 'True' });
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  });
});
