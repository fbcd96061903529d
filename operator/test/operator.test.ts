import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, type KubeClient, type KubeObject } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';
import { scaledObjectCrd, strimziCrds } from './third-party-crds.js';

const NS = 'music';
const KAFKA_NS = 'kafka';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';
const STRIMZI = 'kafka.strimzi.io/v1beta2';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Cond = { type: string; status: string; reason: string; message: string };

let kube: KubeInstance;
let s3: S3Instance;
let client: KubeClient;
const operators: RunningOperator[] = [];
const logger = createLogger({ name: 'operator-test', level: process.env.LOG_LEVEL ?? 'warn' });

function launch(identity?: string): RunningOperator {
  const op = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: logger.child({ identity }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { workers: 4, resyncMs: 10_000, notReadyRequeueMs: 1000, backoffBaseMs: 100 },
    lakeRecheckMs: 0,
    ...(identity
      ? {
          leaderElection: {
            namespace: 'default',
            name: 'sp-operator',
            identity,
            leaseDurationMs: 4000,
            renewEveryMs: 500,
          },
        }
      : {}),
  });
  operators.push(op);
  return op;
}

const wrappedKafka = (topic?: Record<string, unknown>) => ({
  strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: 'wrapped-brokers' },
  ...(topic ? { topic } : {}),
});
const pipelineRef = (name: string) => ({ apiVersion: API, kind: 'SpotifyPipeline', namespace: NS, name });
const get = (apiVersion: string, kind: string, namespace: string, name: string) =>
  client.getOrNull<Obj>({ apiVersion, kind, namespace, name });
const conditionsOf = async (name: string) =>
  ((await client.get<Obj>(pipelineRef(name))).status?.conditions ?? []) as Cond[];
const condition = async (name: string, type: string) =>
  (await conditionsOf(name)).find((c) => c.type === type);

function pipeline(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 5_000_000 },
      kafka: name === 'wrapped' ? wrappedKafka() : { strimzi: { cluster: 'events', namespace: KAFKA_NS } },
      sources: [{ type: 'simulator', eventsPerSecond: 2000 }],
      lake: { endpoint: s3.endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
      warehouse: { type: 'snowflake', credentialsSecret: 'snowflake-creds', database: 'SPOTIFY' },
      ...spec,
    },
  };
}

async function applyPipeline(name: string, spec: Record<string, unknown> = {}) {
  await client.apply(pipeline(name, spec) as never);
}

/** What the deployment controller would write once pods are up (there is no kubelet here). */
async function markDeploymentsAvailable(name: string) {
  for (const d of [`${name}-lake-writer`, `${name}-source-0`]) {
    const dep = await get('apps/v1', 'Deployment', NS, d);
    if (!dep) continue;
    const replicas = (dep.spec?.replicas as number | undefined) ?? 1;
    await client.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/${d}/status`, {
      body: {
        status: {
          observedGeneration: dep.metadata?.generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
        },
      },
      contentType: 'application/merge-patch+json',
    });
  }
}

/** What the Strimzi topic operator would write once the topic exists in Kafka. */
async function markTopicReady(name: string) {
  for (const t of [`${NS}.${name}.listening-events`, `${NS}.${name}.listening-events.dlq`]) {
    await client.request('PATCH', `/apis/${STRIMZI}/namespaces/${KAFKA_NS}/kafkatopics/${t}/status`, {
      body: { status: { conditions: [{ type: 'Ready', status: 'True' }], topicName: 'listening-events' } },
      contentType: 'application/merge-patch+json',
    });
  }
}

beforeAll(async () => {
  [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await Promise.all([createNamespace(client, NS), createNamespace(client, KAFKA_NS)]);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  await createSecret(client, NS, 'bad-lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: 'wrong-secret',
  });
}, 240_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  client?.close();
  await Promise.all([kube?.stop(), s3?.stop()]);
});

describe('admission (CRD schema and CEL rules)', () => {
  const rejects = async (
    spec: Record<string, unknown>,
    message: RegExp,
    query: Record<string, string> = {},
  ) => {
    const body = pipeline('invalid', spec);
    const err = await client
      .request('POST', `/apis/${API}/namespaces/${NS}/spotifypipelines`, { body, query })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(KubeApiError);
    // 422 Invalid for schema and CEL failures; 400 BadRequest for strict decoding (unknown fields)
    expect([400, 422]).toContain((err as KubeApiError).statusCode);
    expect((err as KubeApiError).status.message).toMatch(message);
  };

  it('rejects each CEL rule with its message', async () => {
    await rejects(
      { lakeWriter: { minReplicas: 5, maxReplicas: 2 } },
      /minReplicas must be less than or equal to maxReplicas/,
    );
    await rejects(
      { kafka: { strimzi: { cluster: 'e', minBrokers: 6, maxBrokers: 3 } } },
      /minBrokers must be less than or equal to maxBrokers/,
    );
    await rejects({ kafka: { mode: 'strimzi' } }, /spec.kafka.strimzi is required when mode is strimzi/);
    await rejects({ kafka: { mode: 'external' } }, /spec.kafka.external is required when mode is external/);
    await rejects({ schedule: { load: 'every hour' } }, /must be a cron schedule with 5 fields/);
    await rejects({ warehouse: { type: 'postgres' } }, /warehouse.credentialsSecret is required/);
    await rejects(
      { lakeWriter: { autoscaler: 'keda', minReplicas: 0 } },
      /minReplicas must be at least 1 when an autoscaler is set/,
    );
  });

  it('rejects wrong types, bad enums and (strict) unknown fields', async () => {
    await rejects(
      { audience: { users: 'many' } },
      /spec.audience.users: Invalid value: "string": spec.audience.users in body must be of type integer/,
    );
    await rejects({ lakeWriter: { autoscaler: 'magic' } }, /Unsupported value: "magic"/);
    await rejects({ bogus: true }, /unknown field "spec.bogus"/, { fieldValidation: 'Strict' });
    await rejects(
      { lake: { endpoint: 'ftp://x', bucket: 'ok-bucket', credentialsSecret: 's' } },
      /spec.lake.endpoint/,
    );
  });
});

describe('a pipeline before Strimzi and KEDA are installed', () => {
  it('reports the missing CRDs as False conditions that say what to do, not a crash', async () => {
    launch();
    await applyPipeline('early');
    const topics = await waitFor(
      'TopicsReady',
      async () => (await condition('early', 'TopicsReady')) ?? null,
    );
    expect(topics).toMatchObject({ status: 'False', reason: 'StrimziNotInstalled' });
    expect(topics.message).toMatch(/install the Strimzi operator, or set spec.kafka.mode: external/);
    expect(await condition('early', 'WorkloadsReady')).toMatchObject({
      status: 'False',
      reason: 'KedaNotInstalled',
    });
    expect(await condition('early', 'LakeReady')).toMatchObject({ status: 'True', reason: 'BucketReady' });
  });

  it('converges once the CRDs arrive', async () => {
    for (const crd of [...strimziCrds, scaledObjectCrd]) await installCrd(client, crd);
    for (const name of ['brokers', 'wrapped-brokers']) {
      await client.apply({
        apiVersion: STRIMZI,
        kind: 'KafkaNodePool',
        metadata: { name, namespace: KAFKA_NS, labels: { 'strimzi.io/cluster': 'events' } },
        spec: { replicas: 3, roles: ['broker'], storage: { type: 'ephemeral' } },
      } as never);
    }
    await waitFor(
      'KafkaTopic',
      () => get(STRIMZI, 'KafkaTopic', KAFKA_NS, `${NS}.early.listening-events`),
      60_000,
    );
    const topics = await waitFor('TopicNotReady', async () => {
      const c = await condition('early', 'TopicsReady');
      return c?.reason === 'TopicNotReady' ? c : null;
    });
    expect(topics.status).toBe('False');
    expect(
      await waitFor('ScaledObject', () => get('keda.sh/v1alpha1', 'ScaledObject', NS, 'early-lake-writer')),
    ).toBeTruthy();
  });
});

describe('apply a pipeline', () => {
  it('creates every child with owner references, the plan in status, and honest conditions', async () => {
    await applyPipeline('wrapped', { lakeWriter: { autoscaler: 'keda', lagThreshold: 1000 } });
    const status = await waitFor('status.plan', async () => {
      const p = await client.get<Obj>(pipelineRef('wrapped'));
      return p.status?.observedGeneration === 1 && p.status?.plan ? p : null;
    });
    expect(status.status?.plan).toEqual({
      partitions: 11,
      brokers: 3,
      lakeWriters: { min: 1, max: 11 },
      peakEventsPerSecond: 13889,
    });
    expect(status.metadata?.finalizers).toContain('pipeline.spotify-pipeline.io/finalizer');

    const uid = status.metadata?.uid;
    for (const [apiVersion, kind, name] of [
      ['apps/v1', 'Deployment', 'wrapped-lake-writer'],
      ['apps/v1', 'Deployment', 'wrapped-source-0'],
      ['policy/v1', 'PodDisruptionBudget', 'wrapped-lake-writer'],
      ['keda.sh/v1alpha1', 'ScaledObject', 'wrapped-lake-writer'],
      ['batch/v1', 'CronJob', 'wrapped-load'],
      ['batch/v1', 'CronJob', 'wrapped-transform'],
    ] as const) {
      const child = await get(apiVersion, kind, NS, name);
      expect(child, `${kind}/${name}`).not.toBeNull();
      expect(child?.metadata?.ownerReferences, `${kind}/${name}`).toEqual([
        expect.objectContaining({ kind: 'SpotifyPipeline', name: 'wrapped', uid, controller: true }),
      ]);
    }
    expect(await get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'wrapped-lake-writer')).toBeNull();
    const topic = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, `${NS}.wrapped.listening-events`);
    expect(topic?.metadata?.labels?.['strimzi.io/cluster']).toBe('events');
    expect(topic?.spec).toMatchObject({ topicName: 'listening-events', partitions: 11, replicas: 3 });
    const so = await get('keda.sh/v1alpha1', 'ScaledObject', NS, 'wrapped-lake-writer');
    expect(so?.spec).toMatchObject({
      minReplicaCount: 1,
      maxReplicaCount: 11,
      triggers: [{ type: 'kafka', metadata: { lagThreshold: '1000' } }],
    });
    const cron = await get('batch/v1', 'CronJob', NS, 'wrapped-load');
    expect(cron?.spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      schedule: '*/15 * * * *',
      suspend: false,
    });
    const lw = await get('apps/v1', 'Deployment', NS, 'wrapped-lake-writer');
    expect(lw?.spec?.replicas).toBe(1); // the API server's default; the operator does not own it under KEDA

    // No kubelet and no Strimzi here: the topic and the Deployments cannot become ready by themselves.
    const conds = await conditionsOf('wrapped');
    expect(conds.find((c) => c.type === 'TopicsReady')).toMatchObject({
      status: 'False',
      reason: 'TopicNotReady',
    });
    expect(conds.find((c) => c.type === 'WorkloadsReady')).toMatchObject({
      status: 'False',
      reason: 'DeploymentsNotAvailable',
    });
    expect(conds.find((c) => c.type === 'LakeReady')).toMatchObject({
      status: 'True',
      reason: 'BucketReady',
    });
    expect(conds.find((c) => c.type === 'ScheduleReady')).toMatchObject({
      status: 'True',
      reason: 'Scheduled',
    });
    expect(conds.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'DependenciesNotReady',
    });
    expect((await client.get<Obj>(pipelineRef('wrapped'))).status?.lake).toMatchObject({
      bucket: 'lake-wrapped',
      versioning: 'Enabled',
    });
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'lake-wrapped',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    expect(await store.bucketExists('lake-wrapped')).toBe(true);
  });

  it('becomes Ready once the child status is written the way Strimzi and the deployment controller would', async () => {
    await markTopicReady('wrapped');
    await markDeploymentsAvailable('wrapped');
    const ready = await waitFor('Ready=True', async () => {
      const c = await condition('wrapped', 'Ready');
      return c?.status === 'True' ? c : null;
    });
    expect(ready.reason).toBe('Reconciled');
    const events = await client.list<Obj & { reason?: string; involvedObject?: { name?: string } }>(
      { apiVersion: 'v1', kind: 'Event', namespace: NS },
      { fieldSelector: 'involvedObject.name=wrapped' },
    );
    expect(events.items.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Reconciled', 'TopicReady', 'DeploymentsAvailable']),
    );
  });
});

describe('changes', () => {
  it('a bigger audience grows partitions and brokers and starts an add-brokers rebalance', async () => {
    await applyPipeline('wrapped', {
      audience: { users: 500_000_000 },
      lakeWriter: { autoscaler: 'keda', lagThreshold: 1000 },
    });
    const topic = await waitFor('partitions grow', async () => {
      const t = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, `${NS}.wrapped.listening-events`);
      return (t?.spec?.partitions as number) > 11 ? t : null;
    });
    expect(topic.spec?.partitions).toBe(1042);
    const pool = await waitFor('brokers grow', async () => {
      const p = await get(STRIMZI, 'KafkaNodePool', KAFKA_NS, 'wrapped-brokers');
      return p?.spec?.replicas === 12 ? p : null;
    });
    expect(pool.spec?.roles).toEqual(['broker']); // only replicas is ours
    const rebalance = await waitFor('KafkaRebalance', () =>
      get(STRIMZI, 'KafkaRebalance', KAFKA_NS, 'wrapped-add-brokers-12'),
    );
    expect(rebalance.spec).toEqual({ mode: 'add-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(rebalance.metadata?.labels?.['strimzi.io/cluster']).toBe('events');
  });

  it('partitions never shrink: a smaller audience keeps them, a lower explicit count is rejected at admission', async () => {
    await applyPipeline('wrapped', { lakeWriter: { autoscaler: 'keda', lagThreshold: 1000 } });
    await waitFor(
      'reconciled',
      async () => (await client.get<Obj>(pipelineRef('wrapped'))).status?.observedGeneration === 3,
    );
    expect((await client.get<Obj>(pipelineRef('wrapped'))).status?.plan).toMatchObject({
      partitions: 1042,
      brokers: 3,
    });
    // scale-down: remove-brokers first; the pool keeps 12 brokers until Strimzi reports the rebalance done
    const removal = await waitFor('remove-brokers', () =>
      get(STRIMZI, 'KafkaRebalance', KAFKA_NS, 'wrapped-remove-brokers-3'),
    );
    expect(removal.spec).toEqual({ mode: 'remove-brokers', brokers: [3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(await condition('wrapped', 'TopicsReady')).toMatchObject({
      status: 'False',
      reason: 'RebalancePending',
    });
    expect((await get(STRIMZI, 'KafkaNodePool', KAFKA_NS, 'wrapped-brokers'))?.spec?.replicas).toBe(12);
    await client.request(
      'PATCH',
      `/apis/${STRIMZI}/namespaces/${KAFKA_NS}/kafkarebalances/wrapped-remove-brokers-3/status`,
      {
        body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        contentType: 'application/merge-patch+json',
      },
    );
    await waitFor(
      'pool scaled down',
      async () => (await get(STRIMZI, 'KafkaNodePool', KAFKA_NS, 'wrapped-brokers'))?.spec?.replicas === 3,
    );
    await applyPipeline('wrapped', { kafka: wrappedKafka({ partitions: 2000 }) });
    const err = await client
      .apply(pipeline('wrapped', { kafka: wrappedKafka({ partitions: 100 }) }) as never)
      .then(
        () => null,
        (e: unknown) => e as KubeApiError,
      );
    expect(err?.statusCode).toBe(422);
    expect(err?.status.message).toMatch(
      /partitions may only grow: Kafka cannot remove partitions from a topic/,
    );
  });

  it('switches autoscaler keda -> hpa -> none, never overwriting replicas an autoscaler set', async () => {
    const base = { kafka: wrappedKafka({ partitions: 2000 }) };
    // KEDA's HPA scales the Deployment: another field manager writes spec.replicas.
    const keda = testClient(kube.kubeconfigPath, 'keda-operator');
    await keda.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/wrapped-lake-writer/scale`, {
      body: { spec: { replicas: 7 } },
      contentType: 'application/merge-patch+json',
    });
    keda.close();
    await applyPipeline('wrapped', { ...base, lakeWriter: { autoscaler: 'hpa', lagThreshold: 2000 } });
    const hpa = await waitFor('HPA', () =>
      get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'wrapped-lake-writer'),
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 2000 });
    await waitFor(
      'ScaledObject gone',
      async () => (await get('keda.sh/v1alpha1', 'ScaledObject', NS, 'wrapped-lake-writer')) === null,
    );
    expect((await get('apps/v1', 'Deployment', NS, 'wrapped-lake-writer'))?.spec?.replicas).toBe(7);

    await applyPipeline('wrapped', { ...base, lakeWriter: { autoscaler: 'none', minReplicas: 2 } });
    await waitFor(
      'HPA gone',
      async () =>
        (await get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'wrapped-lake-writer')) === null,
    );
    const dep = await waitFor('replicas owned again', async () => {
      const d = await get('apps/v1', 'Deployment', NS, 'wrapped-lake-writer');
      return d?.spec?.replicas !== 7 ? d : null;
    });
    // autoscaler none: the operator sets the plan's minimum
    expect(dep.spec?.replicas).toBe(2);

    // back to an autoscaler: the replicas we owned are handed over, not reset to the default of 1
    await applyPipeline('wrapped', { ...base, lakeWriter: { autoscaler: 'keda', minReplicas: 2 } });
    await waitFor('ScaledObject back', () =>
      get('keda.sh/v1alpha1', 'ScaledObject', NS, 'wrapped-lake-writer'),
    );
    await waitFor('reconciled', async () => {
      const p = await client.get<Obj>(pipelineRef('wrapped'));
      return p.status?.observedGeneration === p.metadata?.generation;
    });
    const handed = await get('apps/v1', 'Deployment', NS, 'wrapped-lake-writer');
    expect(handed?.spec?.replicas).toBe(2);
    const managedFields = (handed?.metadata?.managedFields ?? []) as Array<{
      manager: string;
      fieldsV1?: { 'f:spec'?: object };
    }>;
    const managers = managedFields
      .filter((m) => m.fieldsV1?.['f:spec'] && 'f:replicas' in m.fieldsV1['f:spec'])
      .map((m) => m.manager);
    expect(managers).toEqual(['spotify-pipeline-operator-handoff']);
  });

  it('pauses on the annotation and resumes without it', async () => {
    const spec = { kafka: wrappedKafka({ partitions: 2000 }) };
    await client.apply({
      ...pipeline('wrapped', spec),
      metadata: {
        name: 'wrapped',
        namespace: NS,
        annotations: { 'pipeline.spotify-pipeline.io/paused': 'true' },
      },
    } as never);
    await new Promise((r) => setTimeout(r, 500));
    await client.delete({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      namespace: NS,
      name: 'wrapped-lake-writer',
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await get('policy/v1', 'PodDisruptionBudget', NS, 'wrapped-lake-writer')).toBeNull();
    await client.apply({
      ...pipeline('wrapped', spec),
      metadata: { name: 'wrapped', namespace: NS, annotations: {} },
    } as never);
    await waitFor('PodDisruptionBudget back', () =>
      get('policy/v1', 'PodDisruptionBudget', NS, 'wrapped-lake-writer'),
    );
  });
});

describe('lake credentials', () => {
  it('a wrong secret key gives LakeReady=False LakeAccessDenied; a missing Secret says to create it', async () => {
    await applyPipeline('badcreds', {
      lake: { endpoint: s3.endpoint, bucket: 'lake-badcreds', credentialsSecret: 'bad-lake-creds' },
    });
    const lake = await waitFor('LakeReady', async () => (await condition('badcreds', 'LakeReady')) ?? null);
    expect(lake).toMatchObject({ status: 'False', reason: 'LakeAccessDenied' });
    expect(lake.message).toMatch(/fix LAKE_ACCESS_KEY\/LAKE_SECRET_KEY in Secret bad-lake-creds/);
    expect(lake.message).not.toContain('wrong-secret');

    await applyPipeline('nocreds', {
      lake: { endpoint: s3.endpoint, bucket: 'lake-nocreds', credentialsSecret: 'absent' },
    });
    const missing = await waitFor('LakeReady', async () => (await condition('nocreds', 'LakeReady')) ?? null);
    expect(missing).toMatchObject({ status: 'False', reason: 'LakeSecretMissing' });
    // creating the Secret fixes it without touching the pipeline
    await createSecret(client, NS, 'absent', {
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await waitFor('LakeReady=True', async () => (await condition('nocreds', 'LakeReady'))?.status === 'True');
  });
});

describe('robustness', () => {
  it('two replicas with leader election, restart mid-reconcile, objects deleted and overwritten behind its back', async () => {
    await Promise.all(operators.splice(0).map((o) => o.stop()));
    const a = launch('replica-a');
    const b = launch('replica-b');
    await waitFor('one leader', async () => a.isLeader() !== b.isLeader());
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];

    await client.delete({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'wrapped-source-0',
    });
    const other = testClient(kube.kubeconfigPath, 'kubectl-edit');
    await other.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/wrapped-lake-writer`, {
      body: { spec: { template: { spec: { containers: [{ name: 'lake-writer', image: 'evil:latest' }] } } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    other.close();
    await applyPipeline('restart', { lakeWriter: { autoscaler: 'none' } });
    // stop the leader while it works; the standby takes the lease
    await new Promise((r) => setTimeout(r, 300));
    await leader.stop();
    await waitFor('standby leads', async () => standby.isLeader(), 15_000);

    await waitFor('source recreated', () => get('apps/v1', 'Deployment', NS, 'wrapped-source-0'));
    await waitFor('image restored', async () => {
      const d = await get('apps/v1', 'Deployment', NS, 'wrapped-lake-writer');
      const template = d?.spec?.template as { spec: { containers: Array<{ image: string }> } } | undefined;
      const image = template?.spec.containers[0]?.image;
      return image === 'registry.local/sp/lake-writer:test';
    });
    await waitFor(
      'restart reconciled',
      async () => (await client.get<Obj>(pipelineRef('restart'))).status?.observedGeneration === 1,
    );
    const deployments = await client.list<Obj>(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS },
      { labelSelector: 'pipeline.spotify-pipeline.io/name=restart' },
    );
    expect(deployments.items.map((d) => d.metadata?.name).sort()).toEqual([
      'restart-lake-writer',
      'restart-source-0',
    ]);
    const restart = await client.get<Obj>(pipelineRef('restart'));
    const failing = ((restart.status?.conditions ?? []) as Cond[])
      .filter((c) => c.status === 'False')
      .map((c) => c.reason);
    // what remains False is only what needs a kubelet or Strimzi here
    expect(failing.sort()).toEqual(['DependenciesNotReady', 'DeploymentsNotAvailable', 'TopicNotReady']);
  });
});

describe('deletion', () => {
  it('Retain keeps the topic and the bucket, then lets go', async () => {
    await client.delete(pipelineRef('early'));
    await waitFor('pipeline gone', async () => (await client.getOrNull(pipelineRef('early'))) === null);
    const topic = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, `${NS}.early.listening-events`);
    expect(topic).not.toBeNull();
    expect(topic?.metadata?.ownerReferences ?? []).toEqual([]);
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'lake-early',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    expect(await store.bucketExists('lake-early')).toBe(true);
  });

  it('Delete removes the topic, the rebalances and the bucket, then lets go', async () => {
    await applyPipeline('wrapped', {
      kafka: wrappedKafka({ partitions: 2000 }),
      deletionPolicy: 'Delete',
    });
    await waitFor(
      'policy seen',
      async () =>
        (await client.get<Obj>(pipelineRef('wrapped'))).status?.observedGeneration ===
        (await client.get<Obj>(pipelineRef('wrapped'))).metadata?.generation,
    );
    // lake data in a versioned bucket: two versions of one object
    const lake = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'lake-wrapped',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await lake.putObject(
      'lake-wrapped',
      'bronze/listening-events/date=2026-01-01/hour=00/x.jsonl.gz',
      Buffer.from('v1'),
    );
    await lake.putObject(
      'lake-wrapped',
      'bronze/listening-events/date=2026-01-01/hour=00/x.jsonl.gz',
      Buffer.from('v2'),
    );
    await client.delete(pipelineRef('wrapped'));
    await waitFor('pipeline gone', async () => (await client.getOrNull(pipelineRef('wrapped'))) === null);
    expect(await get(STRIMZI, 'KafkaTopic', KAFKA_NS, `${NS}.wrapped.listening-events`)).toBeNull();
    expect(await get(STRIMZI, 'KafkaRebalance', KAFKA_NS, 'wrapped-add-brokers-12')).toBeNull();
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'lake-wrapped',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    expect(await store.bucketExists('lake-wrapped')).toBe(false);
  });
});

describe('samples', () => {
  it.each(['strimzi-keda.yaml', 'external-kafka.yaml'])(
    'manifests/samples/%s is accepted by the CRD',
    async (file) => {
      const { readFileSync } = await import('node:fs');
      const yaml = (await import('js-yaml')).default;
      const sample = yaml.load(
        readFileSync(new URL(`../../manifests/samples/${file}`, import.meta.url), 'utf8'),
      ) as {
        metadata: { name: string };
      };
      sample.metadata.name = `sample-${sample.metadata.name}`;
      await client.request('POST', `/apis/${API}/namespaces/${NS}/spotifypipelines`, {
        body: sample,
        query: { dryRun: 'All', fieldValidation: 'Strict' },
      });
    },
  );
});
