import {
  type KafkaInstance,
  type KubeInstance,
  type S3Instance,
  startKafka,
  startKubeApiServer,
  startS3,
} from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient, KubeObject } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';

const NS = 'managed';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';
type Cond = { type: string; status: string; reason: string; message: string };
type Obj = KubeObject & {
  status?: { conditions?: Cond[]; topic?: { partitions: number }; observedGeneration?: number };
};

let kube: KubeInstance;
let kafka: KafkaInstance;
let s3: S3Instance;
let client: KubeClient;
let operator: RunningOperator;
const logger = createLogger({ name: 'external-kafka-test', level: process.env.LOG_LEVEL ?? 'warn' });

beforeAll(async () => {
  [kube, kafka, s3] = await Promise.all([startKubeApiServer(), startKafka(), startS3()]);
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await createNamespace(client, NS);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger,
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { notReadyRequeueMs: 1000, backoffBaseMs: 100 },
    external: { recheckMs: 0 },
  });
}, 240_000);

afterAll(async () => {
  await operator?.stop();
  client?.close();
  await Promise.all([kube?.stop(), kafka?.stop(), s3?.stop()]);
});

/** Partitions as the broker reports them; metadata trails a change for a moment, so wait for `expected`. */
async function partitionsInKafka(topic: string, expected: number): Promise<number> {
  const admin = createKafka(
    { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'test', KAFKA_SSL: false },
    logger,
  ).admin();
  await admin.connect();
  try {
    let seen = 0;
    await waitFor(
      `${topic} with ${expected} partitions`,
      async () => {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        seen = meta.topics[0]?.partitions.length ?? 0;
        return seen === expected;
      },
      15_000,
    ).catch(() => undefined);
    return seen;
  } finally {
    await admin.disconnect();
  }
}

/** Each topic's cleanup.policy as the broker reports it. */
async function cleanupPolicies(topics: string[]): Promise<string[]> {
  const admin = createKafka(
    { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'test', KAFKA_SSL: false },
    logger,
  ).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      // 2: a topic (kafkajs' ConfigResourceTypes.TOPIC)
      resources: topics.map((name) => ({ type: 2, name, configNames: ['cleanup.policy'] })),
      includeSynonyms: false,
    });
    return topics.map(
      (name) => resources.find((r) => r.resourceName === name)?.configEntries[0]?.configValue ?? '',
    );
  } finally {
    await admin.disconnect();
  }
}

const catalogTopics = (events: string) =>
  ['artists', 'albums', 'tracks'].map((k) => `${events}.catalog.${k}`);

/** A pipeline on the external Kafka with a topic and bucket of its own (`<name>-events`, `<name>-lake`). */
const apply = (users: number, deletionPolicy = 'Retain', name = 'managed') =>
  client.apply({
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users },
      kafka: {
        mode: 'external',
        external: { bootstrapServers: kafka.bootstrap },
        topic: { name: `${name}-events`, replicas: 1 },
      },
      lakeWriter: { autoscaler: 'none' },
      lake: { endpoint: s3.endpoint, bucket: `${name}-lake`, credentialsSecret: 'lake-creds' },
      deletionPolicy,
    },
  } as never);

/** The pipeline once its current generation is reconciled with TopicsReady True. */
const topicsReady = async (name = 'managed') => {
  const p = await client.get<Obj>({ apiVersion: API, kind: 'SpotifyPipeline', namespace: NS, name });
  const c = p.status?.conditions?.find((x) => x.type === 'TopicsReady');
  return c?.status === 'True' && p.status?.observedGeneration === p.metadata?.generation ? p : null;
};

describe('external (managed) Kafka through the admin API', () => {
  it('creates the topic with the planned partitions, then raises them', async () => {
    await apply(1_000_000); // 1e6 x 80 / 86400 x 3 x 1.5 / 2000/s per partition -> 3 partitions
    const first = await waitFor('topic created', topicsReady, 60_000);
    expect(first.status?.topic?.partitions).toBe(3);
    expect(await partitionsInKafka('managed-events', 3)).toBe(3);
    expect(await partitionsInKafka('managed-events.dlq', 3)).toBe(3);
    for (const catalog of catalogTopics('managed-events'))
      expect(await partitionsInKafka(catalog, 3)).toBe(3);
    expect(await cleanupPolicies(['managed-events', ...catalogTopics('managed-events')])).toEqual([
      'delete',
      'compact',
      'compact',
      'compact',
    ]);

    await apply(10_000_000); // -> 21 partitions
    await waitFor(
      'partitions raised',
      async () => {
        const p = await topicsReady();
        return p?.status?.topic?.partitions === 21 ? p : null;
      },
      60_000,
    );
    expect(await partitionsInKafka('managed-events', 21)).toBe(21);
    // a compacted topic's partitions stay: new ones would move its keys
    expect(await partitionsInKafka('managed-events.catalog.tracks', 3)).toBe(3);

    await apply(1_000_000); // a smaller audience never lowers them
    await waitFor('reconciled', topicsReady);
    expect(await partitionsInKafka('managed-events', 21)).toBe(21);
  });

  it('deletionPolicy Delete removes the topics through the admin API', async () => {
    await apply(1_000_000, 'Delete', 'doomed');
    await waitFor('topics created', () => topicsReady('doomed'), 60_000);
    await client.delete({ apiVersion: API, kind: 'SpotifyPipeline', namespace: NS, name: 'doomed' });
    await waitFor(
      'pipeline gone',
      async () =>
        (await client.getOrNull({
          apiVersion: API,
          kind: 'SpotifyPipeline',
          namespace: NS,
          name: 'doomed',
        })) === null,
      60_000,
    );
    // Kafka deletes topics asynchronously: metadata can list one for a moment after DeleteTopics returned.
    const admin = createKafka(
      { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'test', KAFKA_SSL: false },
      logger,
    ).admin();
    await admin.connect();
    try {
      await waitFor(
        'topics deleted',
        async () => {
          const topics = await admin.listTopics();
          const owned = ['doomed-events', 'doomed-events.dlq', ...catalogTopics('doomed-events')];
          return owned.every((t) => !topics.includes(t));
        },
        30_000,
      );
    } finally {
      await admin.disconnect();
    }
  });
});
