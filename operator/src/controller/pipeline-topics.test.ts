import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { putSecret, stepContext, testWorld } from '../../test/support/reconcile-world.js';
import type { ExternalTopic } from '../external/external-kafka.js';
import { MemoryKube } from '../kube/memory-kube.js';
import { resolveClaims } from './claims.js';
import { topicsStep } from './pipeline-topics.js';

const STRIMZI = 'kafka.strimzi.io/v1';
const topicRef = (name: string) => ({ apiVersion: STRIMZI, kind: 'KafkaTopic', namespace: 'kafka', name });
const CATALOG = ['artists', 'albums', 'tracks'].map((kind) => `listening-events.catalog.${kind}`);
const external = { kafka: { mode: 'external', external: { bootstrapServers: 'k1:9092, k2:9092' } } };

describe('topics step (Strimzi)', () => {
  it('applies the topic, its dead-letter and catalog topics, then waits for Strimzi to report each Ready', async () => {
    const { kube, deps } = testWorld();
    const ctx = stepContext();
    const waiting = await topicsStep.run(deps, ctx);
    expect(waiting.conditions).toEqual([expect.objectContaining({ ok: false, reason: 'TopicNotReady' })]);
    expect(kube.peek(topicRef('listening-events'))?.spec).toMatchObject({
      partitions: ctx.plan.partitions,
    });
    expect(kube.peek(topicRef('listening-events.dlq'))).toBeDefined();
    for (const catalog of CATALOG)
      expect(kube.peek(topicRef(catalog))?.spec).toMatchObject({
        topicName: catalog,
        partitions: 3,
        config: { 'cleanup.policy': 'compact' },
      });
    const markReady = (name: string) => {
      const topic = kube.peek(topicRef(name));
      kube.put({ ...topic, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    };
    for (const name of ['listening-events', 'listening-events.dlq', ...CATALOG.slice(0, 2)]) markReady(name);
    const tracksWaiting = await topicsStep.run(deps, ctx);
    expect(tracksWaiting.conditions[0]).toMatchObject({ ok: false, reason: 'TopicNotReady' });
    expect(tracksWaiting.conditions[0]?.message).toContain('KafkaTopic listening-events.catalog.tracks');
    markReady('listening-events.catalog.tracks');
    const ready = await topicsStep.run(deps, ctx);
    expect(ready.conditions[0]).toMatchObject({ ok: true, reason: 'TopicReady' });
    expect(ready.status?.topic).toEqual({ name: 'listening-events', partitions: ctx.plan.partitions });
  });

  it('says to install Strimzi when its CRDs are missing, and names the namespace field when that is missing', async () => {
    const { kube, deps } = testWorld();
    kube.unserve(STRIMZI, 'KafkaTopic');
    expect((await topicsStep.run(deps, stepContext())).conditions[0]).toMatchObject({
      reason: 'StrimziNotInstalled',
    });
    const noNamespace = testWorld({ client: new MemoryKube({ namespaces: ['music'] }) });
    const outcome = await topicsStep.run(noNamespace.deps, stepContext());
    expect(outcome.conditions[0]).toMatchObject({ reason: 'KafkaNamespaceMissing' });
    expect(outcome.conditions[0]?.message).toContain('spec.kafka.strimzi.namespace');
  });
});

describe('topics step (external Kafka)', () => {
  it('creates the topic, its dead-letter topic and its compacted catalog topics through the admin API', async () => {
    const topics: ExternalTopic[] = [];
    const { deps } = testWorld({
      kafka: {
        ensureTopic: async (_s, topic) => {
          topics.push(topic);
          return topic.partitions;
        },
        deleteTopic: async () => {},
      },
    });
    const ctx = stepContext({ ...external, kafka: { ...external.kafka, topic: { replicas: 2 } } });
    const outcome = await topicsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'TopicReady' });
    expect(outcome.status?.topic).toEqual({ name: 'listening-events', partitions: ctx.plan.partitions });
    const retained = { 'retention.ms': '604800000', 'cleanup.policy': 'delete' };
    expect(topics.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'listening-events', partitions: ctx.plan.partitions, replicas: 2, config: retained },
      ...CATALOG.sort().map((name) => ({
        name,
        partitions: 3,
        replicas: 2,
        config: { 'cleanup.policy': 'compact' },
      })),
      { name: 'listening-events.dlq', partitions: ctx.plan.partitions, replicas: 2, config: retained },
    ]);
  });

  it('reports a missing credentials Secret by its field, and an unreachable cluster with retry', async () => {
    const withSecret = {
      kafka: { mode: 'external', external: { bootstrapServers: 'k:9092', credentialsSecret: 'kafka-creds' } },
    };
    const { kube, deps } = testWorld({
      kafka: {
        ensureTopic: async () => {
          throw new Error('Connection timeout');
        },
        deleteTopic: async () => {},
      },
    });
    const missing = await topicsStep.run(deps, stepContext(withSecret));
    expect(missing.conditions[0]).toMatchObject({ reason: 'KafkaSecretMissing' });
    expect(missing.conditions[0]?.message).toContain('spec.kafka.external.credentialsSecret');
    await putSecret(kube, 'kafka-creds', { KAFKA_SASL_MECHANISM: 'plain' });
    const down = await topicsStep.run(deps, stepContext(withSecret));
    expect(down).toMatchObject({ retry: true, conditions: [{ reason: 'KafkaUnreachable' }] });
    expect(down.conditions[0]?.message).toContain('Connection timeout');
  });
});

describe('topics step (ownership)', () => {
  const older = () => {
    const p = testPipeline();
    p.metadata = {
      ...p.metadata,
      name: 'first',
      uid: 'uid-first',
      creationTimestamp: '2025-01-01T00:00:00Z',
    };
    return p;
  };

  it('refuses a topic another pipeline owns, naming it, and touches nothing', async () => {
    const { kube, deps } = testWorld();
    const ctx = stepContext();
    ctx.pipeline.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    ctx.claims = resolveClaims(ctx.pipeline, [older(), ctx.pipeline]);
    const outcome = await topicsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'TopicClaimed' });
    expect(outcome.conditions[0]?.message).toContain('belongs to pipeline music/first');
    expect(outcome.conditions[0]?.message).toContain('spec.kafka.topic.name');
    expect(kube.all(STRIMZI, 'KafkaTopic')).toEqual([]);
  });

  it('does not take over a KafkaTopic made by hand, but adopts one a deleted pipeline retained', async () => {
    const { kube, deps } = testWorld();
    kube.put({
      apiVersion: STRIMZI,
      kind: 'KafkaTopic',
      metadata: { name: 'listening-events', namespace: 'kafka' },
      spec: { topicName: 'listening-events', partitions: 1 },
    });
    const refused = await topicsStep.run(deps, stepContext());
    expect(refused.conditions[0]).toMatchObject({ reason: 'TopicClaimed' });
    expect(refused.conditions[0]?.message).toContain('was not made by the operator');
    expect(kube.peek<{ spec: { partitions: number } }>(topicRef('listening-events'))?.spec.partitions).toBe(
      1,
    );
    const topic = kube.peek(topicRef('listening-events'));
    kube.put({
      ...topic,
      metadata: {
        ...topic?.metadata,
        annotations: { 'pipeline.spotify-pipeline.io/retained-from': 'music/old' },
      },
    });
    expect((await topicsStep.run(deps, stepContext())).conditions[0]).toMatchObject({
      reason: 'TopicNotReady',
    });
    expect(
      kube.peek(topicRef('listening-events'))?.metadata?.labels?.['pipeline.spotify-pipeline.io/name'],
    ).toBe('wrapped');
  });

  it.each([
    ['Retain', 'released'],
    ['Delete', 'deleted'],
  ] as const)(
    'cleans up the KafkaTopics of a renamed topic under %s, and lets go of their claims',
    async (policy, fate) => {
      const { kube, deps } = testWorld();
      const before = stepContext({ deletionPolicy: policy });
      await topicsStep.run(deps, before);
      const owned = () =>
        kube
          .all(STRIMZI, 'KafkaTopic')
          .filter((t) => t.metadata?.labels?.['pipeline.spotify-pipeline.io/name'] === 'wrapped');
      deps.owned = (_a, _k, p) =>
        kube
          .all(STRIMZI, 'KafkaTopic')
          .filter((t) => t.metadata?.labels?.['pipeline.spotify-pipeline.io/name'] === p.metadata.name);
      const renamed = stepContext({
        deletionPolicy: policy,
        kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'plays' } },
      });
      const formerClaims = ['listening-events', 'listening-events.dlq', ...CATALOG].map(
        (t) => `kafkatopic:kafka/${t}`,
      );
      renamed.pipeline.status = { claims: formerClaims };
      const outcome = await topicsStep.run(deps, renamed);
      expect(outcome.releasedClaims).toEqual(formerClaims);
      expect(
        owned()
          .map((t) => t.metadata?.name)
          .sort(),
      ).toEqual([
        'plays',
        'plays.catalog.albums',
        'plays.catalog.artists',
        'plays.catalog.tracks',
        'plays.dlq',
      ]);
      // the former catalog topics go the way of the former DLQ
      for (const catalog of CATALOG) {
        const former = kube.peek(topicRef(catalog));
        if (fate === 'deleted') expect(former).toBeUndefined();
        else
          expect(former?.metadata?.annotations).toEqual({
            'pipeline.spotify-pipeline.io/retained-from': 'music/wrapped',
          });
      }
      const old = kube.peek(topicRef('listening-events'));
      if (fate === 'deleted') expect(old).toBeUndefined();
      else
        expect(old?.metadata?.annotations).toEqual({
          'pipeline.spotify-pipeline.io/retained-from': 'music/wrapped',
        });
    },
  );

  it('replaces a KafkaTopic of the old naming scheme without deleting its topic', async () => {
    const { kube, deps } = testWorld();
    const ctx = stepContext({ deletionPolicy: 'Delete' });
    kube.put({
      apiVersion: STRIMZI,
      kind: 'KafkaTopic',
      metadata: {
        name: 'music.wrapped.listening-events',
        namespace: 'kafka',
        labels: {
          'pipeline.spotify-pipeline.io/name': 'wrapped',
          'pipeline.spotify-pipeline.io/namespace': 'music',
        },
      },
      spec: { topicName: 'listening-events', partitions: 11 },
    });
    const deleted: Array<string | undefined> = [];
    kube.intercept = (call) => {
      if (call.verb === 'delete')
        deleted.push(kube.peek(call as never)?.metadata?.annotations?.['strimzi.io/managed']);
    };
    deps.owned = () =>
      kube
        .all(STRIMZI, 'KafkaTopic')
        .filter((t) => t.metadata?.labels?.['pipeline.spotify-pipeline.io/name'] === 'wrapped');
    await topicsStep.run(deps, ctx);
    expect(kube.peek(topicRef('music.wrapped.listening-events'))).toBeUndefined();
    // Strimzi was told to keep the topic before its old KafkaTopic went
    expect(deleted).toEqual(['false']);
    expect(kube.peek(topicRef('listening-events'))).toBeDefined();
  });
});
