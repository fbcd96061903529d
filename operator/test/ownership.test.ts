// Ownership against the real API server and S3 server: a topic, a lake prefix and a broker pool's size
// belong to one pipeline; a second claimant is told whose they are; deleting one pipeline never takes
// what another uses. Every test makes its own pipelines, topics, buckets and pools.
import type { S3Instance } from '@spotify-pipeline/harness';
import { createObjectStore, listAllObjects } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import {
  API,
  condition,
  conditionReason,
  createBrokerPool,
  gone,
  type Obj,
  pipelineRef,
  reconciled,
  STRIMZI,
} from './fixtures.js';
import { waitFor } from './kube-helpers.js';
import { type OperatorEnv, startOperatorEnv } from './operator-env.js';

const NS = 'music';
const OTHER_NS = 'podcasts';
const KAFKA_NS = 'kafka';
let env: OperatorEnv;
let s3: S3Instance;
let client: KubeClient;

beforeAll(async () => {
  env = await startOperatorEnv({
    name: 'ownership-test',
    namespaces: [NS, OTHER_NS, KAFKA_NS],
    lakeCredentialsIn: [NS, OTHER_NS],
  });
  ({ s3, client } = env);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

const store = () =>
  createObjectStore({
    LAKE_ENDPOINT: s3.endpoint,
    LAKE_BUCKET: 'unused',
    LAKE_REGION: s3.region,
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });

interface Options {
  namespace?: string;
  topic: string;
  bucket: string;
  pool: string;
  users?: number;
  maxBrokers?: number;
  deletionPolicy?: 'Retain' | 'Delete';
}

async function applyPipeline(name: string, o: Options) {
  await client.apply({
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: o.namespace ?? NS },
    spec: {
      audience: { users: o.users ?? 1_000_000 },
      kafka: {
        strimzi: {
          cluster: 'events',
          namespace: KAFKA_NS,
          brokerPool: o.pool,
          ...(o.maxBrokers ? { maxBrokers: o.maxBrokers } : {}),
        },
        topic: { name: o.topic },
      },
      sources: [{ type: 'simulator', eventsPerSecond: 100 }],
      lakeWriter: { autoscaler: 'none' },
      lake: { endpoint: s3.endpoint, bucket: o.bucket, credentialsSecret: 'lake-creds' },
      deletionPolicy: o.deletionPolicy ?? 'Retain',
    },
  } as never);
}

const deployments = async (namespace: string, name: string) =>
  (
    await client.list<Obj>(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace },
      { labelSelector: `pipeline.spotify-pipeline.io/name=${name}` },
    )
  ).items.map((d) => d.metadata?.name);

describe('a topic belongs to one pipeline', () => {
  it('a second pipeline on the same topic, even from another namespace, is refused and told whose it is', async () => {
    await createBrokerPool(client, KAFKA_NS, 'topic-pool');
    await applyPipeline('owner', {
      topic: 'shared-events',
      bucket: 'lake-owner',
      pool: 'topic-pool',
      deletionPolicy: 'Delete',
    });
    await reconciled(client, NS, 'owner');
    await applyPipeline('intruder', {
      namespace: OTHER_NS,
      topic: 'shared-events',
      bucket: 'lake-intruder',
      pool: 'topic-pool',
      deletionPolicy: 'Delete',
    });
    const topics = await conditionReason(client, OTHER_NS, 'intruder', 'TopicsReady', 'TopicClaimed');
    expect(topics.message).toContain(`belongs to pipeline ${NS}/owner`);
    expect(topics.message).toContain('spec.kafka.topic.name');
    expect(await condition(client, OTHER_NS, 'intruder', 'WorkloadsReady')).toMatchObject({
      reason: 'BlockedByClaim',
    });
    // nothing of the intruder writes into the owner's topic
    expect(await deployments(OTHER_NS, 'intruder')).toEqual([]);
    const kt = await client.get<Obj>({
      apiVersion: STRIMZI,
      kind: 'KafkaTopic',
      namespace: KAFKA_NS,
      name: 'shared-events',
    });
    expect(kt.metadata?.labels?.['pipeline.spotify-pipeline.io/name']).toBe('owner');
    // deleting the intruder (deletionPolicy Delete) leaves the owner's topic alone
    await client.delete(pipelineRef(OTHER_NS, 'intruder'));
    await gone(client, OTHER_NS, 'intruder');
    expect(
      await client.getOrNull({
        apiVersion: STRIMZI,
        kind: 'KafkaTopic',
        namespace: KAFKA_NS,
        name: 'shared-events',
      }),
    ).not.toBeNull();
    expect(await condition(client, NS, 'owner', 'TopicsReady')).toMatchObject({ reason: 'TopicNotReady' });
  });
});

describe('a lake prefix belongs to one pipeline; a bucket may be shared', () => {
  it('deleting one of two pipelines sharing a bucket removes only its prefix; the other keeps its data and bucket', async () => {
    await createBrokerPool(client, KAFKA_NS, 'lake-pool');
    const bucket = 'lake-shared';
    await applyPipeline('plays', { topic: 'plays', bucket, pool: 'lake-pool', deletionPolicy: 'Delete' });
    await applyPipeline('skips', { topic: 'skips', bucket, pool: 'lake-pool', deletionPolicy: 'Delete' });
    await conditionReason(client, NS, 'plays', 'LakeReady', 'BucketReady');
    await conditionReason(client, NS, 'skips', 'LakeReady', 'BucketReady');
    const lake = store();
    for (const topic of ['plays', 'skips'])
      await lake.putObject(
        bucket,
        `bronze/${topic}/date=2026-01-01/hour=00/${topic}+0+0-9.jsonl.gz`,
        Buffer.from(topic),
      );
    await client.delete(pipelineRef(NS, 'plays'));
    await gone(client, NS, 'plays');
    expect(await lake.bucketExists(bucket)).toBe(true);
    // (versitygw lists '+' as a space)
    expect((await listAllObjects(lake, bucket, '')).map((o) => o.name.replaceAll(' ', '+'))).toEqual([
      'bronze/skips/date=2026-01-01/hour=00/skips+0+0-9.jsonl.gz',
    ]);
    // the survivor still has its lake, checked again (not from a cache)
    await new Promise((r) => setTimeout(r, 1500));
    expect(await condition(client, NS, 'skips', 'LakeReady')).toMatchObject({
      status: 'True',
      reason: 'BucketReady',
    });
  });

  it('a second pipeline writing the same prefix of a bucket (same topic name, another Kafka) is refused', async () => {
    await createBrokerPool(client, KAFKA_NS, 'prefix-pool');
    await applyPipeline('first-writer', { topic: 'tracks', bucket: 'lake-prefix', pool: 'prefix-pool' });
    await conditionReason(client, NS, 'first-writer', 'LakeReady', 'BucketReady');
    await client.apply({
      apiVersion: API,
      kind: 'SpotifyPipeline',
      metadata: { name: 'second-writer', namespace: NS },
      spec: {
        audience: { users: 1000 },
        kafka: {
          mode: 'external',
          external: { bootstrapServers: 'other-kafka:9092' },
          topic: { name: 'tracks' },
        },
        lakeWriter: { autoscaler: 'none' },
        lake: { endpoint: s3.endpoint, bucket: 'lake-prefix', credentialsSecret: 'lake-creds' },
      },
    } as never);
    const lake = await conditionReason(client, NS, 'second-writer', 'LakeReady', 'LakePrefixClaimed');
    expect(lake.message).toContain(
      `s3://lake-prefix/bronze/tracks/ at ${s3.endpoint} belongs to pipeline ${NS}/first-writer`,
    );
    expect(await deployments(NS, 'second-writer')).toEqual([]);
  });

  it('a bucket deleted behind the pipeline is reported, not made again empty', async () => {
    await createBrokerPool(client, KAFKA_NS, 'gone-pool');
    await applyPipeline('gone', { topic: 'gone-events', bucket: 'lake-gone', pool: 'gone-pool' });
    await waitFor(
      'bucket recorded',
      async () => (await client.get<Obj>(pipelineRef(NS, 'gone'))).status?.lake,
    );
    await store().removeBucket('lake-gone');
    const lake = await conditionReason(client, NS, 'gone', 'LakeReady', 'BucketMissing');
    expect(lake.message).toContain('Create the bucket');
    expect(await store().bucketExists('lake-gone')).toBe(false);
  });
});

describe('a broker pool shared by pipelines', () => {
  it('is sized from the sum of its pipelines within its owner bounds; a typo in another pipeline cannot push it further', async () => {
    await createBrokerPool(client, KAFKA_NS, 'shared-pool');
    // 10M listeners are 2.9 brokers of traffic: 3 alone, 6 for two; the owner allows at most 6
    await applyPipeline('pool-owner', {
      topic: 'pool-owner',
      bucket: 'lake-pool-owner',
      pool: 'shared-pool',
      users: 10_000_000,
      maxBrokers: 6,
    });
    await reconciled(client, NS, 'pool-owner');
    // creation times have a resolution of a second: the owner is the older one
    await new Promise((r) => setTimeout(r, 1100));
    await applyPipeline('pool-member', {
      topic: 'pool-member',
      bucket: 'lake-pool-member',
      pool: 'shared-pool',
      users: 10_000_000,
      maxBrokers: 50,
    });
    const pool = () =>
      client.get<Obj>({
        apiVersion: STRIMZI,
        kind: 'KafkaNodePool',
        namespace: KAFKA_NS,
        name: 'shared-pool',
      });
    await waitFor('pool of 6', async () => (await pool()).spec?.replicas === 6);
    const member = await conditionReason(client, NS, 'pool-member', 'BrokersReady', 'RebalancePending');
    expect(member.message).toContain(`by pipeline ${NS}/pool-owner`);
    // the member's audience grows a thousandfold: its plan is capped, and the pool stays within the owner's 6
    await applyPipeline('pool-member', {
      topic: 'pool-member',
      bucket: 'lake-pool-member',
      pool: 'shared-pool',
      users: 10_000_000_000,
      maxBrokers: 50,
    });
    await reconciled(client, NS, 'pool-member');
    await reconciled(client, NS, 'pool-owner');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await pool()).spec?.replicas).toBe(6);
    expect(await condition(client, NS, 'pool-member', 'CapacityPlanned')).toMatchObject({
      reason: 'PlanCapped',
    });
  });
});
