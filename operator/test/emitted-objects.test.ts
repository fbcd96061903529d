// Every object the builders emit, for every sample and every autoscaler mode (and every source kind and
// orchestrator), applied as a server-side-apply dry run with fieldValidation=Strict to a real API server that
// has Strimzi's and KEDA's real CRD schemas (test/crds/): a field the real schema lacks, a wrong type or a
// broken constraint fails the test. Strimzi objects are checked in v1 and in v1beta2.
import { readFileSync } from 'node:fs';
import { type KubeInstance, startKubeApiServer } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BuildContext, type ChildObject, strimziNamespace } from '../src/builders/context.js';
import { desiredSchedule, desiredWorkloads } from '../src/builders/index.js';
import { buildKafkaRebalance, buildNodePool, newScaleEvent } from '../src/builders/kafka-brokers.js';
import { buildKafkaTopics } from '../src/builders/kafka-topic.js';
import { firstDifference } from '../src/controller/observed.js';
import type { SpotifyPipeline } from '../src/crd/spotify-pipeline.js';
import { KubeApiError } from '../src/kube/api.js';
import type { KubeClient } from '../src/kube/client.js';
import { resourcePath } from '../src/kube/resources.js';
import { imagesFor } from '../src/operator.js';
import { planCapacity, planInputFromSpec } from '../src/plan/capacity-plan.js';
import { kedaCrds } from './crds/keda.js';
import { strimziCrds } from './crds/strimzi.js';
import { createNamespace, installCrd, pipelineCrd, testClient } from './kube-helpers.js';

let kube: KubeInstance;
let client: KubeClient;
const API = 'pipeline.spotify-pipeline.io/v1alpha1';
const NS = 'emitted';
const KAFKA_NS = 'kafka';

beforeAll(async () => {
  kube = await startKubeApiServer();
  client = testClient(kube.kubeconfigPath);
  // Strimzi 0.49-0.51 serve v1 and v1beta2 side by side: one cluster checks both schemas.
  for (const crd of [pipelineCrd(), ...strimziCrds('0.49'), ...kedaCrds()]) await installCrd(client, crd);
  await createNamespace(client, NS);
  await createNamespace(client, KAFKA_NS);
  // The broker pool exists before the operator sizes it (its roles and storage are the admin's); pipelines
  // with authentication live next to their Kafka cluster.
  for (const namespace of [KAFKA_NS, NS])
    await client.apply({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'brokers', namespace, labels: { 'strimzi.io/cluster': 'events' } },
      spec: { replicas: 3, roles: ['broker'], storage: { type: 'ephemeral' } },
    } as never);
});

afterAll(async () => {
  client?.close();
  await kube?.stop();
});

function sample(file: string): {
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
} {
  return parse(readFileSync(new URL(`../../manifests/samples/${file}`, import.meta.url), 'utf8')) as never;
}

/** The pipeline as the API server stores it (defaults applied), from a dry-run create. */
async function defaulted(name: string, spec: Record<string, unknown>): Promise<SpotifyPipeline> {
  return client.request<SpotifyPipeline>('POST', `/apis/${API}/namespaces/${NS}/spotifypipelines`, {
    body: { apiVersion: API, kind: 'SpotifyPipeline', metadata: { name, namespace: NS }, spec },
    query: { dryRun: 'All', fieldValidation: 'Strict' },
  });
}

const scaleUp = newScaleEvent('add-brokers', 3, 5, [0, 1, 2]);
const scaleDown = newScaleEvent('remove-brokers', 5, 3, [0, 1, 2, 3, 4]);

/** Everything the builders make for one pipeline (objects that must not exist left out). */
function emitted(pipeline: SpotifyPipeline): ChildObject[] {
  const plan = planCapacity(planInputFromSpec(pipeline.spec));
  const ctx: BuildContext = { pipeline, plan, images: imagesFor('registry.test/spotify-pipeline', 'v1') };
  const strimziNs = strimziNamespace(pipeline);
  const strimzi = pipeline.spec.kafka.mode === 'strimzi';
  return [
    ...desiredWorkloads(ctx).map((c) => c.object),
    ...desiredSchedule(ctx).map((c) => c.object),
    ...buildKafkaTopics(ctx),
    strimzi ? buildNodePool(strimziNs, 'brokers', plan.brokers, scaleUp) : null,
    buildKafkaRebalance(pipeline, strimziNs, 'brokers', scaleUp, [3, 4]),
    buildKafkaRebalance(pipeline, strimziNs, 'brokers', scaleDown, [3, 4]),
  ].filter((o): o is ChildObject => o !== null);
}

/** Server-side apply, dry run, strict: what the operator sends, without keeping it. */
function dryRunApply(object: ChildObject) {
  const ref = { ...object, namespace: object.metadata.namespace, name: object.metadata.name };
  return client.request('PATCH', resourcePath(ref), {
    body: object,
    contentType: 'application/apply-patch+yaml',
    query: {
      fieldManager: 'spotify-pipeline-operator',
      force: 'true',
      fieldValidation: 'Strict',
      dryRun: 'All',
    },
  });
}

const isStrimzi = (o: ChildObject) => o.apiVersion.startsWith('kafka.strimzi.io/');

const variants: Array<[string, string, Record<string, unknown>]> = [];
for (const file of ['strimzi-keda.yaml', 'external-kafka.yaml']) {
  for (const autoscaler of ['keda', 'hpa', 'none']) {
    const s = sample(file);
    const lakeWriter = { ...(s.spec.lakeWriter as object), autoscaler };
    variants.push([
      `${file} autoscaler=${autoscaler}`,
      `${s.metadata.name}-${autoscaler}`,
      { ...s.spec, lakeWriter },
    ]);
  }
}
{
  // Every source kind, the Airflow orchestrator and a PostgreSQL warehouse, on the Strimzi sample.
  const s = sample('strimzi-keda.yaml');
  variants.push([
    'strimzi-keda.yaml with every source kind, airflow, postgres',
    'every-source',
    {
      ...s.spec,
      sources: [
        { type: 'simulator', eventsPerSecond: 500 },
        {
          type: 'spotify_api',
          credentialsSecret: 'spotify-app',
          spotifyApi: { tokenSecret: 'spotify-tokens', listeners: [{ userId: 'alice', country: 'SE' }] },
        },
        { type: 'history_import', historyImport: { prefix: 'imports/alice/', userId: 'alice' } },
      ],
      warehouse: { type: 'postgres', credentialsSecret: 'pg-creds', database: 'wrapped' },
      schedule: { orchestrator: 'airflow' },
    },
  ]);
}

{
  // DuckDB on its volume, read by the insights service (the volume, its mounts and the pods' affinity).
  const s = sample('strimzi-keda.yaml');
  variants.push([
    'strimzi-keda.yaml with duckdb on a volume and insights',
    'duckdb-insights',
    {
      ...s.spec,
      warehouse: { type: 'duckdb', duckdb: { storage: '20Gi', storageClassName: 'local-path' } },
      insights: { enabled: true },
      deletionPolicy: 'Delete',
    },
  ]);
}

// Strimzi listeners that authenticate: a KafkaUser per workload and credentials from Strimzi's Secrets. The
// pipeline sits next to the Kafka cluster (its Secrets are read by the pods), with insights and KEDA on.
for (const listener of [
  { port: 9094, authentication: 'scram-sha-512' },
  { port: 9093, tls: true, authentication: 'tls' },
]) {
  const s = sample('strimzi-keda.yaml');
  const { namespace: _kafkaNamespace, ...strimzi } = (s.spec.kafka as { strimzi: Record<string, unknown> })
    .strimzi;
  variants.push([
    `strimzi-keda.yaml next to the cluster, listener ${listener.authentication}, insights`,
    `auth-${listener.authentication}`,
    {
      ...s.spec,
      kafka: { ...(s.spec.kafka as object), strimzi: { ...strimzi, listener } },
      sources: [{ type: 'simulator' }, { type: 'history_import', historyImport: { prefix: 'imports/a/' } }],
      warehouse: { type: 'postgres', credentialsSecret: 'pg-creds', database: 'wrapped' },
      insights: { enabled: true },
    },
  ]);
}

describe('every emitted object passes strict validation against the real schemas', () => {
  it.each(variants)('%s', async (_title, name, spec) => {
    const pipeline = await defaulted(name, spec);
    const objects = emitted(pipeline);
    const kinds = new Set(objects.map((o) => o.kind));
    expect(kinds.has('Deployment')).toBe(true);
    const failures: string[] = [];
    for (const object of objects) {
      const versions = isStrimzi(object)
        ? ['kafka.strimzi.io/v1', 'kafka.strimzi.io/v1beta2']
        : [object.apiVersion];
      for (const apiVersion of versions) {
        const sent = { ...object, apiVersion };
        await dryRunApply(sent).then(
          // What the API server stores must read back as sent, or a converged pipeline re-applies it on
          // every pass (the watch cache never matches): e.g. a `false` the server drops as empty.
          (stored) => {
            const differs = firstDifference(sent, stored);
            if (differs)
              failures.push(
                `${apiVersion} ${object.kind} ${object.metadata.name} reads back changed: ${differs}`,
              );
          },
          (err: Error) =>
            failures.push(`${apiVersion} ${object.kind} ${object.metadata.name}: ${err.message}`),
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it("covers each of the pipeline's topics, the compacted catalog topics among them", async () => {
    const [, name, spec] = variants[0] as (typeof variants)[number];
    const topics = emitted(await defaulted(name, spec)).filter((o) => o.kind === 'KafkaTopic');
    const policies = topics.map((t) => {
      const { topicName, config } = t.spec as { topicName: string; config: Record<string, string> };
      return `${topicName} ${config['cleanup.policy']}`;
    });
    const events = (spec.kafka as { topic?: { name?: string } }).topic?.name ?? 'listening-events';
    expect(policies).toEqual([
      `${events} delete`,
      `${events}.dlq delete`,
      `${events}.catalog.artists compact`,
      `${events}.catalog.albums compact`,
      `${events}.catalog.tracks compact`,
    ]);
  });

  it('covers every kind the operator writes', async () => {
    const all = new Set<string>();
    for (const [, name, spec] of variants)
      for (const o of emitted(await defaulted(name, spec))) all.add(`${o.apiVersion} ${o.kind}`);
    expect([...all].sort()).toEqual(
      [
        'apps/v1 Deployment',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'batch/v1 CronJob',
        'batch/v1 Job',
        'kafka.strimzi.io/v1 KafkaNodePool',
        'kafka.strimzi.io/v1 KafkaRebalance',
        'kafka.strimzi.io/v1 KafkaTopic',
        'kafka.strimzi.io/v1 KafkaUser',
        'keda.sh/v1alpha1 ScaledObject',
        'keda.sh/v1alpha1 TriggerAuthentication',
        'policy/v1 PodDisruptionBudget',
        'v1 ConfigMap',
        'v1 PersistentVolumeClaim',
        'v1 Service',
      ].sort(),
    );
  });

  it.each([
    ['KafkaTopic', (o: ChildObject) => ({ ...o, spec: { ...(o.spec as object), retentionHours: 1 } })],
    ['KafkaTopic', (o: ChildObject) => ({ ...o, spec: { ...(o.spec as object), partitions: 0 } })],
    ['ScaledObject', (o: ChildObject) => ({ ...o, spec: { ...(o.spec as object), lagThreshold: 5 } })],
    ['ScaledObject', (o: ChildObject) => ({ ...o, spec: { ...(o.spec as object), minReplicaCount: 'one' } })],
    ['KafkaRebalance', (o: ChildObject) => ({ ...o, spec: { ...(o.spec as object), mode: 'add-disks' } })],
    [
      'KafkaUser',
      (o: ChildObject) => ({
        ...o,
        spec: { ...(o.spec as object), authentication: { type: 'scram-sha-256' } },
      }),
    ],
    [
      'KafkaUser',
      (o: ChildObject) => ({
        ...o,
        spec: {
          ...(o.spec as object),
          authorization: {
            type: 'simple',
            acls: [{ resource: { type: 'topic', name: 't' }, operations: ['Fly'] }],
          },
        },
      }),
    ],
    // Strimzi's oneOf: an env variable has a value or a valueFrom, not both.
    [
      'KafkaNodePool',
      (o: ChildObject) => ({
        ...o,
        spec: {
          ...(o.spec as object),
          template: {
            kafkaContainer: {
              env: [{ name: 'A', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
            },
          },
        },
      }),
    ],
  ] as const)('a %s the real schema refuses is refused', async (kind, spoil) => {
    const [, name, spec] = variants.find(([, , s]) => JSON.stringify(s).includes('scram-sha-512'))!;
    const object = emitted(await defaulted(name, spec)).find((o) => o.kind === kind)!;
    const refused = await dryRunApply(spoil(object)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).statusCode).toBeGreaterThanOrEqual(400);
  });
});
