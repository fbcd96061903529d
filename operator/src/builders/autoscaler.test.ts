import { describe, expect, it } from 'vitest';
import { buildHpa, buildScaledObject } from './autoscaler.js';
import { testContext } from './test-fixtures.js';

describe('autoscalers', () => {
  it('keda: a ScaledObject with the Kafka scaler, min/max capped at partitions', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'keda', lagThreshold: 1000 } });
    expect(buildHpa(ctx)).toBeNull();
    expect(buildScaledObject(ctx)).toMatchObject({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      spec: {
        scaleTargetRef: { name: 'wrapped-lake-writer' },
        minReplicaCount: 1,
        maxReplicaCount: ctx.plan.partitions,
        triggers: [
          {
            type: 'kafka',
            metadata: {
              bootstrapServers: 'events-kafka-bootstrap.kafka.svc:9092',
              consumerGroup: 'music.wrapped.lake-writer',
              topic: 'listening-events',
              lagThreshold: '1000',
            },
          },
        ],
      },
    });
  });

  it('hpa: an external lag metric with AverageValue target', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'hpa', maxReplicas: 500 } });
    expect(buildScaledObject(ctx)).toBeNull();
    const hpa = buildHpa(ctx);
    expect(hpa?.spec).toMatchObject({ minReplicas: 1, maxReplicas: ctx.plan.partitions });
    expect(JSON.stringify(hpa)).toContain('kafka_consumergroup_lag');
  });

  it('none: neither', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'none' } });
    expect(buildHpa(ctx)).toBeNull();
    expect(buildScaledObject(ctx)).toBeNull();
  });
});
