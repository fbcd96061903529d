// The operator against the real kube-apiserver and S3 server: every test makes its own pipelines (and
// broker pools), so each one passes alone and in any order.
import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import { kedaCrds } from './crds/keda.js';
import { strimziCrds } from './crds/strimzi.js';
import {
  API,
  type Cond,
  condition,
  conditionReason,
  conditionsOf,
  createBrokerPool,
  markDeploymentsAvailable,
  markTopicsReady,
  type Obj,
  pipelineRef,
  reconciled,
  STRIMZI,
} from './fixtures.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';

const NS = 'music';
const KAFKA_NS = 'kafka';

let kube: KubeInstance;
let s3: S3Instance;
let client: KubeClient;
const operators: RunningOperator[] = [];
const logger = createLogger({ name: 'operator-test', level: process.env.LOG_LEVEL ?? 'warn' });

function launch(identity: string): RunningOperator {
  const op = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: logger.child({ identity }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { workers: 4, resyncMs: 10_000, notReadyRequeueMs: 1000, backoffBaseMs: 100 },
    external: { recheckMs: 0 },
    leaderElection: {
      namespace: 'default',
      name: 'sp-operator',
      identity,
      leaseDurationMs: 4000,
      renewEveryMs: 500,
    },
  });
  operators.push(op);
  return op;
}

const get = (apiVersion: string, kind: string, namespace: string, name: string) =>
  client.getOrNull<Obj>({ apiVersion, kind, namespace, name });
/** Each test pipeline has a topic of its own (a topic belongs to one pipeline). */
const topicResource = (name: string) => `${name}-events`;
const lakeStore = () =>
  createObjectStore({
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: 'unused',
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });

/** A pipeline with its own broker pool `<name>-brokers`; `spec` merges over the defaults. */
function pipeline(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 5_000_000 },
      kafka: kafkaOf(name),
      sources: [{ type: 'simulator', eventsPerSecond: 2000 }],
      lake: { endpoint: s3.endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
      warehouse: { type: 'snowflake', credentialsSecret: 'snowflake-creds', database: 'SPOTIFY' },
      ...spec,
    },
  };
}

const kafkaOf = (name: string, topic?: Record<string, unknown>) => ({
  strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: `${name}-brokers` },
  topic: { name: `${name}-events`, ...topic },
});

async function applyPipeline(name: string, spec: Record<string, unknown> = {}) {
  await client.apply(pipeline(name, spec) as never);
}

/** A pipeline with its pool, reconciled once. */
async function freshPipeline(name: string, spec: Record<string, unknown> = {}) {
  await createBrokerPool(client, KAFKA_NS, `${name}-brokers`);
  await applyPipeline(name, spec);
  return reconciled(client, NS, name);
}

beforeAll(async () => {
  [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  client = testClient(kube.kubeconfigPath);
  for (const crd of [pipelineCrd(), ...strimziCrds(), ...kedaCrds()]) await installCrd(client, crd);
  await Promise.all([createNamespace(client, NS), createNamespace(client, KAFKA_NS)]);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  await createSecret(client, NS, 'snowflake-creds', {
    SNOWFLAKE_ACCOUNT: 'made-up-account',
    SNOWFLAKE_USER: 'made-up-user',
    SNOWFLAKE_PASSWORD: 'made-up-password',
    SNOWFLAKE_WAREHOUSE: 'made-up-warehouse',
  });
  await createSecret(client, NS, 'bad-lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: 'wrong-secret',
  });
  launch('replica-a');
}, 240_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  client?.close();
  await Promise.all([kube?.stop(), s3?.stop()]);
});

describe('apply a pipeline', () => {
  it('creates every child with owner references, the plan in status, and honest conditions', async () => {
    const status = await freshPipeline('children', {
      lakeWriter: { autoscaler: 'keda', lagThreshold: 1000 },
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
      ['apps/v1', 'Deployment', 'children-lake-writer'],
      ['apps/v1', 'Deployment', 'children-source-0'],
      ['policy/v1', 'PodDisruptionBudget', 'children-lake-writer'],
      ['keda.sh/v1alpha1', 'ScaledObject', 'children-lake-writer'],
      ['batch/v1', 'CronJob', 'children-load'],
      ['batch/v1', 'CronJob', 'children-transform'],
    ] as const) {
      const child = await get(apiVersion, kind, NS, name);
      expect(child, `${kind}/${name}`).not.toBeNull();
      expect(child?.metadata?.ownerReferences, `${kind}/${name}`).toEqual([
        expect.objectContaining({ kind: 'SpotifyPipeline', name: 'children', uid, controller: true }),
      ]);
    }
    expect(await get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'children-lake-writer')).toBeNull();
    const topic = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, topicResource('children'));
    expect(topic?.metadata?.labels?.['strimzi.io/cluster']).toBe('events');
    expect(topic?.spec).toMatchObject({ topicName: 'children-events', partitions: 11, replicas: 3 });
    const so = await get('keda.sh/v1alpha1', 'ScaledObject', NS, 'children-lake-writer');
    expect(so?.spec).toMatchObject({
      minReplicaCount: 1,
      maxReplicaCount: 11,
      triggers: [{ type: 'kafka', metadata: { lagThreshold: '1000' } }],
    });
    expect((await get('batch/v1', 'CronJob', NS, 'children-load'))?.spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      schedule: '*/15 * * * *',
      suspend: false,
    });
    // the API server's default; the operator does not own replicas under KEDA
    expect((await get('apps/v1', 'Deployment', NS, 'children-lake-writer'))?.spec?.replicas).toBe(1);

    // No kubelet and no Strimzi here: the topic and the Deployments cannot become ready by themselves.
    const reasons = Object.fromEntries(
      (await conditionsOf(client, NS, 'children')).map((c) => [c.type, `${c.status} ${c.reason}`]),
    );
    expect(reasons).toEqual({
      CapacityPlanned: 'True PlanWithinLimits',
      TopicsReady: 'False TopicNotReady',
      BrokersReady: 'True BrokersSized',
      LakeReady: 'True BucketReady',
      WorkloadsReady: 'False DeploymentsNotAvailable',
      ScheduleReady: 'True Scheduled',
      Ready: 'False TopicNotReady',
    });
    expect(status.status?.lake).toMatchObject({ bucket: 'lake-children', versioning: 'Enabled' });
    expect(await lakeStore().bucketExists('lake-children')).toBe(true);
  });

  it('deploys the insights service and its Service when the resource asks for it, and removes them when it stops asking', async () => {
    const status = await freshPipeline('dash', {
      insights: { enabled: true, credentialsSecret: 'insights-ro' },
    });
    const uid = status.metadata?.uid;
    const deployment = await waitFor('the insights Deployment', () =>
      get('apps/v1', 'Deployment', NS, 'dash-insights'),
    );
    const service = await get('v1', 'Service', NS, 'dash-insights');
    for (const child of [deployment, service])
      expect(child?.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'SpotifyPipeline', name: 'dash', uid, controller: true }),
      ]);
    const pod = (deployment!.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } })
      .template.spec;
    expect(pod.containers[0]).toMatchObject({
      readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
      ports: [{ name: 'http', containerPort: 8080 }],
    });
    expect(service?.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 80, targetPort: 'http' }] });
    // No kubelet or controller-manager here: the condition names the insights Deployment among those it waits for.
    const workloads = await conditionReason(client, NS, 'dash', 'WorkloadsReady', 'DeploymentsNotAvailable');
    expect(workloads.message).toMatch(/dash-insights: (rollout not observed yet|0\/1 available)/);

    await applyPipeline('dash', { insights: { enabled: false } });
    await waitFor('the insights Deployment and Service to go', async () =>
      (await get('apps/v1', 'Deployment', NS, 'dash-insights')) === null &&
      (await get('v1', 'Service', NS, 'dash-insights')) === null
        ? true
        : null,
    );
  });

  it('becomes Ready once the child status is written the way Strimzi and the deployment controller would', async () => {
    await freshPipeline('ready');
    const topics = ['', '.dlq', '.catalog.artists', '.catalog.albums', '.catalog.tracks'].map(
      (suffix) => `${topicResource('ready')}${suffix}`,
    );
    for (const topic of topics)
      await waitFor('KafkaTopics', () => get(STRIMZI, 'KafkaTopic', KAFKA_NS, topic));
    await markTopicsReady(client, KAFKA_NS, topics);
    await markDeploymentsAvailable(client, NS, ['ready-lake-writer', 'ready-source-0']);
    const ready = await conditionReason(client, NS, 'ready', 'Ready', 'Reconciled');
    expect(ready.status).toBe('True');
    const events = await client.list<Obj & { reason?: string }>(
      { apiVersion: 'v1', kind: 'Event', namespace: NS },
      { fieldSelector: 'involvedObject.name=ready' },
    );
    expect(events.items.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Reconciled', 'TopicReady', 'DeploymentsAvailable']),
    );
  });
});

describe('changes', () => {
  it('a bigger audience grows partitions and brokers', async () => {
    await freshPipeline('grow');
    await applyPipeline('grow', { audience: { users: 500_000_000 } });
    const topic = await waitFor('partitions grow', async () => {
      const t = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, topicResource('grow'));
      return (t?.spec?.partitions as number) > 11 ? t : null;
    });
    expect(topic.spec?.partitions).toBe(1042);
    const pool = await waitFor('brokers grow', async () => {
      const p = await get(STRIMZI, 'KafkaNodePool', KAFKA_NS, 'grow-brokers');
      return p?.spec?.replicas === 12 ? p : null;
    });
    expect(pool.spec?.roles).toEqual(['broker']); // only replicas (and the scale event) are ours
  });

  it('partitions never shrink: a smaller audience keeps them, a lower explicit count is rejected at admission', async () => {
    await freshPipeline('shrink', { audience: { users: 500_000_000 } });
    await applyPipeline('shrink');
    const after = await reconciled(client, NS, 'shrink');
    expect(after.status?.plan).toMatchObject({ partitions: 1042, brokers: 3 });
    await applyPipeline('shrink', { kafka: kafkaOf('shrink', { partitions: 2000 }) });
    const err = await client
      .apply(pipeline('shrink', { kafka: kafkaOf('shrink', { partitions: 100 }) }) as never)
      .then(
        () => null,
        (e: unknown) => e as { statusCode: number; status: { message: string } },
      );
    expect(err?.statusCode).toBe(422);
    expect(err?.status.message).toMatch(
      /partitions may only grow: Kafka cannot remove partitions from a topic/,
    );
  });

  it('switches autoscaler keda -> hpa -> none -> keda, never overwriting replicas an autoscaler set', async () => {
    await freshPipeline('autoscale', { lakeWriter: { autoscaler: 'keda' } });
    // KEDA's HPA scales the Deployment: another field manager writes spec.replicas.
    const keda = testClient(kube.kubeconfigPath, 'keda-operator');
    await keda.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/autoscale-lake-writer/scale`, {
      body: { spec: { replicas: 7 } },
      contentType: 'application/merge-patch+json',
    });
    keda.close();
    await applyPipeline('autoscale', { lakeWriter: { autoscaler: 'hpa', lagThreshold: 2000 } });
    const hpa = await waitFor('HPA', () =>
      get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'autoscale-lake-writer'),
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 11 });
    await waitFor(
      'ScaledObject gone',
      async () => (await get('keda.sh/v1alpha1', 'ScaledObject', NS, 'autoscale-lake-writer')) === null,
    );
    expect((await get('apps/v1', 'Deployment', NS, 'autoscale-lake-writer'))?.spec?.replicas).toBe(7);

    await applyPipeline('autoscale', { lakeWriter: { autoscaler: 'none', minReplicas: 2 } });
    await waitFor(
      'HPA gone',
      async () =>
        (await get('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'autoscale-lake-writer')) === null,
    );
    const dep = await waitFor('replicas owned again', async () => {
      const d = await get('apps/v1', 'Deployment', NS, 'autoscale-lake-writer');
      return d?.spec?.replicas !== 7 ? d : null;
    });
    expect(dep.spec?.replicas).toBe(2); // autoscaler none: the operator sets the plan's minimum

    // back to an autoscaler: the replicas we owned are handed over, not reset to the default of 1
    await applyPipeline('autoscale', { lakeWriter: { autoscaler: 'keda', minReplicas: 2 } });
    await waitFor('ScaledObject back', () =>
      get('keda.sh/v1alpha1', 'ScaledObject', NS, 'autoscale-lake-writer'),
    );
    await reconciled(client, NS, 'autoscale');
    const handed = await get('apps/v1', 'Deployment', NS, 'autoscale-lake-writer');
    expect(handed?.spec?.replicas).toBe(2);
    const managers = (
      (handed?.metadata?.managedFields ?? []) as Array<{ manager: string; fieldsV1?: { 'f:spec'?: object } }>
    )
      .filter((m) => m.fieldsV1?.['f:spec'] && 'f:replicas' in m.fieldsV1['f:spec'])
      .map((m) => m.manager);
    expect(managers).toEqual(['spotify-pipeline-operator-handoff']);
  });

  it('pauses on the annotation (Ready says so) and resumes without it', async () => {
    await freshPipeline('paused');
    await client.apply({
      ...pipeline('paused'),
      metadata: {
        name: 'paused',
        namespace: NS,
        annotations: { 'pipeline.spotify-pipeline.io/paused': 'true' },
      },
    } as never);
    const paused = await conditionReason(client, NS, 'paused', 'Ready', 'ReconciliationPaused');
    expect(paused.message).toMatch(/Remove the annotation to resume/);
    await client.delete({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      namespace: NS,
      name: 'paused-lake-writer',
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await get('policy/v1', 'PodDisruptionBudget', NS, 'paused-lake-writer')).toBeNull();
    await client.apply({
      ...pipeline('paused'),
      metadata: { name: 'paused', namespace: NS, annotations: {} },
    } as never);
    await waitFor('PodDisruptionBudget back', () =>
      get('policy/v1', 'PodDisruptionBudget', NS, 'paused-lake-writer'),
    );
    await waitFor(
      'not paused',
      async () => (await condition(client, NS, 'paused', 'Ready'))?.reason !== 'ReconciliationPaused',
    );
  });
});

describe('lake credentials', () => {
  it('a wrong secret key gives LakeReady=False LakeAccessDenied; a missing Secret says to create it', async () => {
    await createBrokerPool(client, KAFKA_NS, 'badcreds-brokers');
    await applyPipeline('badcreds', {
      lake: { endpoint: s3.endpoint, bucket: 'lake-badcreds', credentialsSecret: 'bad-lake-creds' },
    });
    const lake = await conditionReason(client, NS, 'badcreds', 'LakeReady', 'LakeAccessDenied');
    expect(lake.message).toMatch(/fix LAKE_ACCESS_KEY\/LAKE_SECRET_KEY in Secret bad-lake-creds/);
    expect(lake.message).not.toContain('wrong-secret');

    await createBrokerPool(client, KAFKA_NS, 'nocreds-brokers');
    await applyPipeline('nocreds', {
      lake: { endpoint: s3.endpoint, bucket: 'lake-nocreds', credentialsSecret: 'nocreds-lake' },
    });
    await conditionReason(client, NS, 'nocreds', 'LakeReady', 'LakeSecretMissing');
    // creating the Secret fixes it without touching the pipeline
    await createSecret(client, NS, 'nocreds-lake', {
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await conditionReason(client, NS, 'nocreds', 'LakeReady', 'BucketReady');
  });
});

describe('robustness', () => {
  it('a second replica takes over from a leader stopped mid-reconcile; objects deleted and overwritten behind its back come back', async () => {
    await freshPipeline('tampered', { lakeWriter: { autoscaler: 'none' } });
    const standby = launch(`replica-${operators.length}`);
    const leader = await waitFor('one leader', async () => operators.find((o) => o.isLeader()));

    await client.delete({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'tampered-source-0',
    });
    const other = testClient(kube.kubeconfigPath, 'kubectl-edit');
    await other.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/tampered-lake-writer`, {
      body: { spec: { template: { spec: { containers: [{ name: 'lake-writer', image: 'evil:latest' }] } } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    other.close();
    await createBrokerPool(client, KAFKA_NS, 'restart-brokers');
    await applyPipeline('restart', { lakeWriter: { autoscaler: 'none' } });
    // stop the leader while it works; the other replica takes the lease
    await new Promise((r) => setTimeout(r, 300));
    await leader.stop();
    operators.splice(operators.indexOf(leader), 1);
    const next = leader === standby ? operators[0] : standby;
    await waitFor('the other replica leads', async () => next?.isLeader(), 15_000);

    await waitFor('source recreated', () => get('apps/v1', 'Deployment', NS, 'tampered-source-0'));
    await waitFor('image restored', async () => {
      const d = await get('apps/v1', 'Deployment', NS, 'tampered-lake-writer');
      const template = d?.spec?.template as { spec: { containers: Array<{ image: string }> } } | undefined;
      return template?.spec.containers[0]?.image === 'registry.local/sp/lake-writer:test';
    });
    await reconciled(client, NS, 'restart');
    const deployments = await client.list<Obj>(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS },
      { labelSelector: 'pipeline.spotify-pipeline.io/name=restart' },
    );
    expect(deployments.items.map((d) => d.metadata?.name).sort()).toEqual([
      'restart-lake-writer',
      'restart-source-0',
    ]);
    const failing = ((await conditionsOf(client, NS, 'restart')) as Cond[])
      .filter((c) => c.status === 'False')
      .map((c) => `${c.type} ${c.reason}`);
    // what remains False is only what needs a kubelet or Strimzi here
    expect(failing.sort()).toEqual([
      'Ready TopicNotReady',
      'TopicsReady TopicNotReady',
      'WorkloadsReady DeploymentsNotAvailable',
    ]);
  });
});

describe('deletion', () => {
  it('Retain keeps the topic and the bucket, then lets go', async () => {
    await freshPipeline('retained');
    await client.delete(pipelineRef(NS, 'retained'));
    await waitFor(
      'pipeline gone',
      async () => (await client.getOrNull(pipelineRef(NS, 'retained'))) === null,
    );
    const topic = await get(STRIMZI, 'KafkaTopic', KAFKA_NS, topicResource('retained'));
    expect(topic).not.toBeNull();
    expect(topic?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(topic?.metadata?.annotations?.['pipeline.spotify-pipeline.io/retained-from']).toBe(
      `${NS}/retained`,
    );
    expect(await lakeStore().bucketExists('lake-retained')).toBe(true);
  });

  it('Delete removes the topic and the bucket (with every object version), then lets go', async () => {
    await freshPipeline('deleted', { deletionPolicy: 'Delete' });
    await waitFor(
      'LakeReady',
      async () => (await condition(client, NS, 'deleted', 'LakeReady'))?.status === 'True',
    );
    const lake = lakeStore();
    const key = 'bronze/deleted-events/date=2026-01-01/hour=00/deleted-events+0+0-9.jsonl.gz';
    await lake.putObject('lake-deleted', key, Buffer.from('v1'));
    await lake.putObject('lake-deleted', key, Buffer.from('v2'));
    await client.delete(pipelineRef(NS, 'deleted'));
    await waitFor('pipeline gone', async () => (await client.getOrNull(pipelineRef(NS, 'deleted'))) === null);
    expect(await get(STRIMZI, 'KafkaTopic', KAFKA_NS, topicResource('deleted'))).toBeNull();
    expect(await lake.bucketExists('lake-deleted')).toBe(false);
  });
});

describe('samples', () => {
  it.each(['strimzi-keda.yaml', 'external-kafka.yaml'])(
    'manifests/samples/%s is accepted by the CRD',
    async (file) => {
      const { readFileSync } = await import('node:fs');
      const { parse } = await import('yaml');
      const sample = parse(
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
