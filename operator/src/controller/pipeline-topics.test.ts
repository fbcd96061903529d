import { describe, expect, it } from 'vitest';
import { MemoryKube } from '../kube/memory-kube.js';
import { topicsStep } from './pipeline-topics.js';
import { putSecret, stepContext, testWorld } from './test-deps.js';

const STRIMZI = 'kafka.strimzi.io/v1beta2';
const topicRef = (name: string) => ({ apiVersion: STRIMZI, kind: 'KafkaTopic', namespace: 'kafka', name });
const external = { kafka: { mode: 'external', external: { bootstrapServers: 'k1:9092, k2:9092' } } };

describe('topics step (Strimzi)', () => {
  it('applies the topic and its dead-letter topic, then waits for Strimzi to report them Ready', async () => {
    const { kube, deps } = testWorld();
    const ctx = stepContext();
    const waiting = await topicsStep.run(deps, ctx);
    expect(waiting.conditions).toEqual([expect.objectContaining({ ok: false, reason: 'TopicNotReady' })]);
    expect(kube.peek(topicRef('music.wrapped.listening-events'))?.spec).toMatchObject({
      partitions: ctx.plan.partitions,
    });
    expect(kube.peek(topicRef('music.wrapped.listening-events.dlq'))).toBeDefined();
    const topic = kube.peek(topicRef('music.wrapped.listening-events'));
    kube.put({ ...topic, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
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
  it('creates topic and dead-letter topic through the admin API', async () => {
    const { deps, kafkaCalls } = testWorld();
    const ctx = stepContext(external);
    const outcome = await topicsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'TopicReady' });
    expect(kafkaCalls.sort()).toEqual([
      `ensure listening-events ${ctx.plan.partitions}`,
      `ensure listening-events.dlq ${ctx.plan.partitions}`,
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
