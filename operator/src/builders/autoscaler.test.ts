import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { buildHpa, buildKafkaTriggerAuthentication, buildScaledObject } from './autoscaler.js';

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

  it('keda: scale-down waits the stabilization window, then halves at most every 30 s', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'keda', scaleDownStabilizationSeconds: 30 } });
    expect(buildScaledObject(ctx)?.spec).toMatchObject({
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: 30,
              policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }],
            },
          },
        },
      },
    });
  });

  it('keda on an external cluster with credentials: a TriggerAuthentication from its Secret, SASL in the clear', () => {
    const external = {
      mode: 'external',
      external: { bootstrapServers: 'kafka:9093', credentialsSecret: 'kafka-creds', tls: true },
    };
    const ctx = { ...testContext({ kafka: external }), kafkaSaslMechanism: 'scram-sha-512' as const };
    const auth = buildKafkaTriggerAuthentication(ctx);
    expect(auth).toMatchObject({
      kind: 'TriggerAuthentication',
      metadata: { name: 'wrapped-lake-writer-kafka', namespace: 'music' },
      spec: {
        secretTargetRef: [
          { parameter: 'username', name: 'kafka-creds', key: 'KAFKA_SASL_USERNAME' },
          { parameter: 'password', name: 'kafka-creds', key: 'KAFKA_SASL_PASSWORD' },
        ],
      },
    });
    const so = buildScaledObject(ctx);
    const trigger = (so?.spec as { triggers: Array<Record<string, unknown>> } | undefined)?.triggers[0];
    expect(trigger).toMatchObject({
      authenticationRef: { name: 'wrapped-lake-writer-kafka' },
      metadata: { sasl: 'scram_sha512', tls: 'enable', bootstrapServers: 'kafka:9093' },
    });
    // The password is only ever a Secret reference.
    expect(JSON.stringify([auth, buildScaledObject(ctx)])).not.toMatch(/password"?:\s*"[^K]/);
  });

  it('no TriggerAuthentication without a credentials Secret, or without KEDA', () => {
    expect(buildKafkaTriggerAuthentication(testContext({ lakeWriter: { autoscaler: 'keda' } }))).toBeNull();
    const external = { mode: 'external', external: { bootstrapServers: 'k:9092', credentialsSecret: 'c' } };
    expect(
      buildKafkaTriggerAuthentication(testContext({ kafka: external, lakeWriter: { autoscaler: 'hpa' } })),
    ).toBeNull();
  });

  it('hpa: CPU use of the writers against their request (resource metrics), capped at the partitions', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'hpa', maxReplicas: 500 } });
    expect(buildScaledObject(ctx)).toBeNull();
    const hpa = buildHpa(ctx);
    expect(hpa?.spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: ctx.plan.partitions,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    });
  });

  it('none: neither', () => {
    const ctx = testContext({ lakeWriter: { autoscaler: 'none' } });
    expect(buildHpa(ctx)).toBeNull();
    expect(buildScaledObject(ctx)).toBeNull();
  });
});
