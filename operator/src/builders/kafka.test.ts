import { catalogKindOf } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import {
  buildKafkaRebalance,
  buildNodePool,
  changedBrokerIds,
  newScaleEvent,
  parseScaleEvent,
  rebalanceName,
  SCALE_EVENT_ANNOTATION,
} from './kafka-brokers.js';
import {
  buildKafkaTopics,
  CATALOG_PARTITIONS,
  catalogTopicNames,
  kafkaTopicResourceName,
} from './kafka-topic.js';

describe('buildKafkaTopics', () => {
  it('builds a Strimzi KafkaTopic named after the topic, labelled with the cluster, sized by the plan', () => {
    const ctx = testContext();
    const [topic, deadLetter] = buildKafkaTopics(ctx);
    expect(topic).toMatchObject({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 'listening-events', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } },
      spec: {
        topicName: 'listening-events',
        partitions: ctx.plan.partitions,
        replicas: 3,
        config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete', 'min.insync.replicas': '2' },
      },
    });
    // another namespace: no owner reference possible, the finalizer cleans up instead
    expect(topic?.metadata.ownerReferences).toBeUndefined();
    expect(deadLetter).toMatchObject({
      metadata: { name: 'listening-events.dlq' },
      spec: { topicName: 'listening-events.dlq', partitions: ctx.plan.partitions },
    });
  });

  it('builds the catalog topics compacted, on a fixed few partitions, replicated as the events, owned alike', () => {
    const ctx = testContext({ audience: { users: 50_000_000 } });
    expect(ctx.plan.partitions).toBeGreaterThan(CATALOG_PARTITIONS);
    const topics = buildKafkaTopics(ctx);
    const events = topics[0];
    const catalogs = topics.slice(2);
    expect(catalogs.map((t) => t.metadata.name)).toEqual(catalogTopicNames('listening-events'));
    for (const catalog of catalogs) {
      expect(catalog.spec).toEqual({
        topicName: catalog.metadata.name,
        partitions: CATALOG_PARTITIONS,
        replicas: 3,
        config: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
      });
      expect(catalog.metadata.labels).toEqual(events?.metadata.labels);
      expect(catalog.metadata.namespace).toBe(events?.metadata.namespace);
    }
    // A tiny plan does not change them: a compacted topic's partitions never move.
    const tiny = buildKafkaTopics(testContext({ audience: { users: 10 } }));
    expect(tiny.slice(2).map((t) => (t.spec as { partitions: number }).partitions)).toEqual([3, 3, 3]);
  });

  it('carries an owner reference when the Kafka cluster shares the namespace', () => {
    const topics = buildKafkaTopics(testContext({ kafka: { strimzi: { cluster: 'events' } } }));
    expect(topics).toHaveLength(5);
    for (const topic of topics)
      expect(topic.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'SpotifyPipeline',
        uid: 'uid-1',
        controller: true,
      });
  });

  it('is empty in external mode', () => {
    expect(
      buildKafkaTopics(
        testContext({ kafka: { mode: 'external', external: { bootstrapServers: 'k:9092' } } }),
      ),
    ).toEqual([]);
  });
});

describe('catalogTopicNames', () => {
  it("names the pipeline's catalog topics after its events topic, as the contract recognises them", () => {
    const topics = catalogTopicNames('plays');
    expect(topics).toEqual(['plays.catalog.artists', 'plays.catalog.albums', 'plays.catalog.tracks']);
    expect(topics.map(catalogKindOf)).toEqual(['artists', 'albums', 'tracks']);
  });
});

describe('kafkaTopicResourceName', () => {
  it('keeps a topic name that is a valid resource name', () => {
    expect(kafkaTopicResourceName('listening-events')).toBe('listening-events');
    expect(kafkaTopicResourceName('listening-events.dlq')).toBe('listening-events.dlq');
  });

  it('maps anything else to a valid name with a stable hash of the exact topic, so no two topics share one', () => {
    const a = kafkaTopicResourceName('Listening_Events');
    const b = kafkaTopicResourceName('listening_events');
    expect(a).toMatch(/^listening-events-[0-9a-f]{8}$/);
    expect(b).toMatch(/^listening-events-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(kafkaTopicResourceName('Listening_Events')).toBe(a);
    expect(kafkaTopicResourceName('__internal')).toMatch(/^internal-[0-9a-f]{8}$/);
    const long = kafkaTopicResourceName(`${'x'.repeat(240)}_Y`);
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });
});

describe('broker scaling', () => {
  it('owns only spec.replicas of the node pool, and the scale event while one runs', () => {
    const event = newScaleEvent('add-brokers', 3, 5, [0, 1, 2]);
    expect(buildNodePool('kafka', 'brokers', 5, null)).toEqual({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'brokers', namespace: 'kafka', labels: {} },
      spec: { replicas: 5 },
    });
    const withEvent = buildNodePool('kafka', 'brokers', 5, event);
    expect(parseScaleEvent(withEvent.metadata.annotations?.[SCALE_EVENT_ANNOTATION])).toEqual(event);
  });

  it('gives every scale event a name of its own, even between the same sizes', () => {
    const first = newScaleEvent('remove-brokers', 5, 3, [3, 4], 1_000);
    const second = newScaleEvent('remove-brokers', 5, 3, [3, 4], 2_000);
    expect(rebalanceName('brokers', first)).toMatch(/^brokers-remove-brokers-[a-z0-9]+$/);
    expect(rebalanceName('brokers', first)).not.toBe(rebalanceName('brokers', second));
  });

  it('reads no event from an annotation someone mangled', () => {
    expect(parseScaleEvent('{"id":"x","mode":"sideways"}')).toBeNull();
    expect(parseScaleEvent('not json')).toBeNull();
    expect(parseScaleEvent(undefined)).toBeNull();
  });

  it('adds the lowest free ids and removes the highest', () => {
    expect(changedBrokerIds([0, 1, 2], 3, 5)).toEqual([3, 4]);
    expect(changedBrokerIds([0, 2, 3], 3, 4)).toEqual([1]);
    expect(changedBrokerIds([0, 1, 2, 3, 4], 5, 3)).toEqual([3, 4]);
  });

  it('builds the event rebalance, auto-approved, labelled with the pipeline that runs it', () => {
    const { pipeline } = testContext();
    const event = newScaleEvent('add-brokers', 3, 5, [0, 1, 2]);
    expect(buildKafkaRebalance(pipeline, 'kafka', 'brokers', event, [3, 4])).toMatchObject({
      kind: 'KafkaRebalance',
      metadata: {
        name: rebalanceName('brokers', event),
        namespace: 'kafka',
        labels: { 'strimzi.io/cluster': 'events', 'pipeline.spotify-pipeline.io/name': 'wrapped' },
        annotations: { 'strimzi.io/rebalance-auto-approval': 'true' },
      },
      spec: { mode: 'add-brokers', brokers: [3, 4] },
    });
  });
});
