import { describe, expect, it } from 'vitest';
import { buildKafkaRebalance, buildNodePoolReplicas, changedBrokerIds } from './kafka-brokers.js';
import { buildDeadLetterTopic, buildKafkaTopic } from './kafka-topic.js';
import { testContext } from './test-fixtures.js';

describe('buildKafkaTopic', () => {
  it('builds a Strimzi KafkaTopic labelled with the cluster, sized by the plan', () => {
    const ctx = testContext();
    const topic = buildKafkaTopic(ctx);
    expect(topic).toMatchObject({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: {
        name: 'music.wrapped.listening-events',
        namespace: 'kafka',
        labels: { 'strimzi.io/cluster': 'events' },
      },
      spec: {
        topicName: 'listening-events',
        partitions: ctx.plan.partitions,
        replicas: 3,
        config: { 'retention.ms': '604800000' },
      },
    });
    // another namespace: no owner reference possible, the finalizer cleans up instead
    expect(topic?.metadata.ownerReferences).toBeUndefined();
    expect(buildDeadLetterTopic(ctx)?.spec).toMatchObject({ topicName: 'listening-events.dlq' });
  });

  it('carries an owner reference when the Kafka cluster shares the namespace', () => {
    const topic = buildKafkaTopic(testContext({ kafka: { strimzi: { cluster: 'events' } } }));
    expect(topic?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'SpotifyPipeline',
      uid: 'uid-1',
      controller: true,
    });
  });

  it('is null in external mode', () => {
    expect(
      buildKafkaTopic(testContext({ kafka: { mode: 'external', external: { bootstrapServers: 'k:9092' } } })),
    ).toBeNull();
  });
});

describe('broker scaling', () => {
  it('owns only spec.replicas of the node pool', () => {
    const ctx = testContext();
    expect(buildNodePoolReplicas(ctx.pipeline, 5)).toEqual({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaNodePool',
      metadata: { name: 'brokers', namespace: 'kafka', labels: {} },
      spec: { replicas: 5 },
    });
  });

  it('adds the lowest free ids and removes the highest', () => {
    expect(changedBrokerIds([0, 1, 2], 3, 5)).toEqual([3, 4]);
    expect(changedBrokerIds([0, 2, 3], 3, 4)).toEqual([1]);
    expect(changedBrokerIds([0, 1, 2, 3, 4], 5, 3)).toEqual([3, 4]);
  });

  it('builds add-brokers after a scale-up and remove-brokers before a scale-down, auto-approved', () => {
    const { pipeline } = testContext();
    expect(buildKafkaRebalance(pipeline, 3, 5, [0, 1, 2])).toMatchObject({
      kind: 'KafkaRebalance',
      metadata: {
        name: 'wrapped-add-brokers-5',
        labels: { 'strimzi.io/cluster': 'events' },
        annotations: { 'strimzi.io/rebalance-auto-approval': 'true' },
      },
      spec: { mode: 'add-brokers', brokers: [3, 4] },
    });
    expect(buildKafkaRebalance(pipeline, 5, 4, [0, 1, 2, 3, 4])?.spec).toEqual({
      mode: 'remove-brokers',
      brokers: [4],
    });
    expect(buildKafkaRebalance(pipeline, 4, 4, [0, 1, 2, 3])).toBeNull();
  });
});
