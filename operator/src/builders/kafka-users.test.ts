import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { buildKafkaTriggerAuthentication, buildKedaKafkaConfig, buildScaledObject } from './autoscaler.js';
import type { ChildObject } from './context.js';
import { desiredWorkloads, kafkaUsers } from './index.js';
import { workloadAcls } from './kafka-users.js';

const simulator = { type: 'simulator', eventsPerSecond: 100 };
const history = { type: 'history_import', historyImport: { prefix: 'imports/a/' } };

/** A pipeline next to Kafka "events" (no namespace of its own), its listener as given. */
function withListener(listener: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return testContext({
    kafka: { strimzi: { cluster: 'events', listener } },
    sources: [simulator, history],
    ...spec,
  });
}

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
const envOf = (o: ChildObject | null | undefined): EnvVar[] =>
  ((o as unknown as { spec: { template: { spec: { containers: Array<{ env: EnvVar[] }> } } } }).spec.template
    .spec.containers[0]?.env ?? []) as EnvVar[];
const refs = (env: EnvVar[]) =>
  Object.fromEntries(
    env.flatMap((e) =>
      e.valueFrom?.secretKeyRef
        ? [[e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]]
        : [],
    ),
  );
const plain = (env: EnvVar[]) =>
  Object.fromEntries(env.flatMap((e) => ('value' in e ? [[e.name, e.value]] : [])));
const workload = (ctx: ReturnType<typeof testContext>, name: string) =>
  desiredWorkloads(ctx).find((c) => c.name === name && c.object && c.kind !== 'KafkaUser')?.object;

describe('KafkaUsers', () => {
  it('none without authentication, or in external mode: every slot says "must not exist"', () => {
    for (const ctx of [
      withListener({}),
      withListener({ tls: true }),
      testContext({ kafka: { mode: 'external', external: { bootstrapServers: 'k:9092' } } }),
    ]) {
      const users = kafkaUsers(ctx);
      expect(users.length).toBe(11);
      expect(users.filter((u) => u.object)).toEqual([]);
    }
  });

  it('one per workload that talks to Kafka, named as its client id, next to the cluster', () => {
    const ctx = withListener({ authentication: 'scram-sha-512' }, { insights: { enabled: true } });
    const users = kafkaUsers(ctx).filter((u) => u.object);
    expect(users.map((u) => u.name)).toEqual([
      'wrapped-source-0',
      'wrapped-source-1',
      'wrapped-lake-writer',
      'wrapped-insights',
      'wrapped-keda',
    ]);
    for (const u of users) {
      expect(u.object?.metadata).toMatchObject({
        namespace: 'music',
        labels: { 'strimzi.io/cluster': 'events' },
      });
      expect(u.object?.metadata.ownerReferences?.[0]?.uid).toBe('uid-1');
      expect(u.object?.spec).toMatchObject({
        authentication: { type: 'scram-sha-512' },
        authorization: { type: 'simple' },
      });
    }
    const noKeda = withListener({ authentication: 'tls', tls: true }, { lakeWriter: { autoscaler: 'hpa' } });
    expect(
      kafkaUsers(noKeda)
        .filter((u) => u.object)
        .map((u) => u.name),
    ).toEqual(['wrapped-source-0', 'wrapped-source-1', 'wrapped-lake-writer']);
  });

  it('grant each workload only its own topics and group, literally named', () => {
    const { pipeline } = withListener({ authentication: 'scram-sha-512' });
    const acl = (w: Parameters<typeof workloadAcls>[1]) =>
      workloadAcls(pipeline, w).map(
        (a) => `${a.resource.type}:${a.resource.name}:${a.resource.patternType}:${a.operations.join('+')}`,
      );
    expect(acl('source')).toEqual([
      'topic:listening-events:literal:Write+Describe',
      'topic:listening-events.dlq:literal:Write+Describe',
    ]);
    expect(acl('catalog-source')).toEqual([
      'topic:listening-events:literal:Write+Describe',
      'topic:listening-events.dlq:literal:Write+Describe',
      'topic:listening-events.catalog.artists:literal:Write+Describe',
      'topic:listening-events.catalog.albums:literal:Write+Describe',
      'topic:listening-events.catalog.tracks:literal:Write+Describe',
    ]);
    expect(acl('lake-writer')).toEqual([
      'topic:listening-events:literal:Read+Describe',
      'group:music.wrapped.lake-writer:literal:Read',
      'topic:listening-events.dlq:literal:Write+Describe',
      'topic:listening-events.catalog.artists:literal:Read+Describe',
      'group:music.wrapped.lake-writer.listening-events.catalog.artists:literal:Read',
      'topic:listening-events.catalog.albums:literal:Read+Describe',
      'group:music.wrapped.lake-writer.listening-events.catalog.albums:literal:Read',
      'topic:listening-events.catalog.tracks:literal:Read+Describe',
      'group:music.wrapped.lake-writer.listening-events.catalog.tracks:literal:Read',
    ]);
    for (const w of ['insights', 'keda'] as const)
      expect(acl(w)).toEqual([
        'topic:listening-events:literal:Describe',
        'group:music.wrapped.lake-writer:literal:Describe',
      ]);
  });
});

describe('source KafkaUsers', () => {
  it('let the simulator write its catalog, and the poller and the history import events only', () => {
    const poller = {
      type: 'spotify_api',
      credentialsSecret: 'app',
      spotifyApi: { tokenSecret: 'tokens', listeners: [{ userId: 'a' }] },
    };
    const ctx = withListener({ authentication: 'tls', tls: true }, { sources: [simulator, history, poller] });
    const topics = (name: string) => {
      const user = kafkaUsers(ctx).find((u) => u.name === name)?.object;
      const spec = user?.spec as
        | { authorization: { acls: Array<{ resource: { name: string } }> } }
        | undefined;
      return spec?.authorization.acls.map((a) => a.resource.name);
    };
    expect(topics('wrapped-source-0')).toContain('listening-events.catalog.tracks');
    for (const eventsOnly of ['wrapped-source-1', 'wrapped-source-2'])
      expect(topics(eventsOnly)).toEqual(['listening-events', 'listening-events.dlq']);
  });
});

describe('workload credentials from the Secrets Strimzi writes', () => {
  it('SCRAM: the password and JAAS line of its own KafkaUser, the mechanism as a plain setting', () => {
    const ctx = withListener({ authentication: 'scram-sha-512', port: 9094 });
    const lakeWriter = envOf(workload(ctx, 'wrapped-lake-writer'));
    expect(refs(lakeWriter)).toMatchObject({
      KAFKA_SASL_PASSWORD: 'wrapped-lake-writer/password',
      KAFKA_SASL_JAAS_CONFIG: 'wrapped-lake-writer/sasl.jaas.config',
    });
    expect(plain(lakeWriter)).toMatchObject({
      KAFKA_BROKERS: 'events-kafka-bootstrap.music.svc:9094',
      KAFKA_SSL: 'false',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
    });
    const importJob = envOf(workload(ctx, 'wrapped-source-1'));
    expect(refs(importJob)).toMatchObject({ KAFKA_SASL_PASSWORD: 'wrapped-source-1/password' });
    expect(JSON.stringify(importJob)).not.toContain('wrapped-lake-writer');
  });

  it('mutual TLS: the cluster CA, and the certificate and key of its own KafkaUser', () => {
    const ctx = withListener({ authentication: 'tls', tls: true, port: 9093 });
    const source = envOf(workload(ctx, 'wrapped-source-0'));
    expect(refs(source)).toEqual({
      KAFKA_SSL_CA: 'events-cluster-ca-cert/ca.crt',
      KAFKA_SSL_CERT: 'wrapped-source-0/user.crt',
      KAFKA_SSL_KEY: 'wrapped-source-0/user.key',
    });
    expect(plain(source)).toMatchObject({
      KAFKA_SSL: 'true',
      KAFKA_BROKERS: 'events-kafka-bootstrap.music.svc:9093',
    });
    expect(plain(source).KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('the workloads accept the env built for them (nothing withheld)', () => {
    for (const listener of [
      { authentication: 'scram-sha-512' },
      { authentication: 'scram-sha-512', tls: true },
      { authentication: 'tls', tls: true },
    ])
      expect(
        desiredWorkloads(withListener(listener, { insights: { enabled: true } })).filter((c) => c.refused),
      ).toEqual([]);
  });
});

describe("KEDA's login", () => {
  it('SCRAM: its own user name from a ConfigMap, its password from its KafkaUser Secret', () => {
    const ctx = withListener({ authentication: 'scram-sha-512', tls: true });
    expect(buildKafkaTriggerAuthentication(ctx)?.spec).toEqual({
      secretTargetRef: [
        { parameter: 'ca', name: 'events-cluster-ca-cert', key: 'ca.crt' },
        { parameter: 'password', name: 'wrapped-keda', key: 'password' },
      ],
      configMapTargetRef: [{ parameter: 'username', name: 'wrapped-keda-kafka', key: 'username' }],
    });
    expect(buildKedaKafkaConfig(ctx)).toMatchObject({
      kind: 'ConfigMap',
      data: { username: 'wrapped-keda' },
    });
    const trigger = (buildScaledObject(ctx)!.spec as { triggers: Array<Record<string, unknown>> })
      .triggers[0];
    expect(trigger).toMatchObject({
      metadata: { sasl: 'scram_sha512', tls: 'enable' },
      authenticationRef: { name: 'wrapped-lake-writer-kafka' },
    });
  });

  it('mutual TLS: the CA and its certificate and key; nothing to log in with, no TriggerAuthentication', () => {
    const ctx = withListener({ authentication: 'tls', tls: true });
    expect(buildKafkaTriggerAuthentication(ctx)?.spec).toEqual({
      secretTargetRef: [
        { parameter: 'ca', name: 'events-cluster-ca-cert', key: 'ca.crt' },
        { parameter: 'cert', name: 'wrapped-keda', key: 'user.crt' },
        { parameter: 'key', name: 'wrapped-keda', key: 'user.key' },
      ],
    });
    expect(buildKedaKafkaConfig(ctx)).toBeNull();
    expect(buildKafkaTriggerAuthentication(withListener({}))).toBeNull();
    const plainTrigger = (
      buildScaledObject(withListener({}))!.spec as { triggers: Array<Record<string, unknown>> }
    ).triggers[0];
    expect(plainTrigger?.authenticationRef).toBeUndefined();
    expect(plainTrigger?.metadata).toMatchObject({ tls: 'disable' });
    expect((plainTrigger?.metadata as object) ?? {}).not.toHaveProperty('sasl');
  });
});
