// A KafkaUser per workload on a Strimzi listener that authenticates, against the real API server with
// Strimzi's real CRD schemas. Strimzi's User Operator cannot run here: the test plays it, writing the status
// and the Secret it writes (KafkaUserModel.generateSecret: password and sasl.jaas.config for SCRAM-SHA-512).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { API, conditionReason, createBrokerPool, type Obj, STRIMZI } from './fixtures.js';
import { waitFor } from './kube-helpers.js';
import { type OperatorEnv, startOperatorEnv } from './operator-env.js';

// The pipeline lives next to Kafka "events": Strimzi writes the users' Secrets in the cluster's namespace.
const NS = 'kafka';
let env: OperatorEnv;
let client: KubeClient;

beforeAll(async () => {
  env = await startOperatorEnv({ name: 'kafka-users-test', namespaces: [NS] });
  client = env.client;
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

async function applyPipeline(name: string, listener: Record<string, unknown>) {
  await createBrokerPool(client, NS, `${name}-brokers`);
  await client.apply({
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 1_000_000 },
      kafka: {
        strimzi: { cluster: 'events', brokerPool: `${name}-brokers`, listener },
        topic: { name: `${name}-events` },
      },
      sources: [{ type: 'simulator', eventsPerSecond: 100 }],
      lakeWriter: { autoscaler: 'keda' },
      lake: { endpoint: env.s3.endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
    },
  } as never);
}

const kafkaUser = (name: string) =>
  client.getOrNull<Obj>({ apiVersion: STRIMZI, kind: 'KafkaUser', namespace: NS, name });

async function setUserStatus(name: string, status: Record<string, unknown>) {
  await client.request('PATCH', `/apis/${STRIMZI}/namespaces/${NS}/kafkausers/${name}/status`, {
    body: { status },
    contentType: 'application/merge-patch+json',
  });
}

/** What Strimzi's User Operator does for a SCRAM-SHA-512 KafkaUser: its Secret, then Ready. */
async function playUserOperator(name: string, password: string) {
  const user = (await kafkaUser(name))!;
  await client.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: NS,
      labels: {
        ...user.metadata?.labels,
        'strimzi.io/kind': 'KafkaUser',
        'app.kubernetes.io/managed-by': 'strimzi-user-operator',
      },
      ownerReferences: [
        { apiVersion: STRIMZI, kind: 'KafkaUser', name, uid: user.metadata?.uid ?? '', controller: false },
      ],
    },
    type: 'Opaque',
    data: {
      password: Buffer.from(password).toString('base64'),
      'sasl.jaas.config': Buffer.from(
        `org.apache.kafka.common.security.scram.ScramLoginModule required username="${name}" password="${password}";`,
      ).toString('base64'),
    },
  } as never);
  await setUserStatus(name, {
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
    observedGeneration: user.metadata?.generation,
    username: name,
    secret: name,
  });
}

type Container = {
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
};

describe('KafkaUsers on a SCRAM-SHA-512 listener', () => {
  it('are created per workload, reported until Strimzi writes their Secrets, then read by the workloads', async () => {
    await applyPipeline('scram', { port: 9094, authentication: 'scram-sha-512' });
    const users = ['scram-source-0', 'scram-lake-writer', 'scram-keda'];
    // Nothing has written the users' Secrets: a specific reason, naming each, and no crash.
    const missing = await conditionReason(client, NS, 'scram', 'WorkloadsReady', 'KafkaCredentialsMissing');
    for (const u of users)
      expect(missing.message).toContain(
        `Secret ${u} of KafkaUser ${u} does not exist yet: Strimzi's User Operator has not reconciled it`,
      );
    const lakeWriterUser = await kafkaUser('scram-lake-writer');
    expect(lakeWriterUser?.spec).toEqual({
      authentication: { type: 'scram-sha-512' },
      authorization: {
        type: 'simple',
        acls: [
          {
            resource: { type: 'topic', name: 'scram-events', patternType: 'literal' },
            operations: ['Read', 'Describe'],
          },
          {
            resource: { type: 'group', name: 'kafka.scram.lake-writer', patternType: 'literal' },
            operations: ['Read'],
          },
          {
            resource: { type: 'topic', name: 'scram-events.dlq', patternType: 'literal' },
            operations: ['Write', 'Describe'],
          },
          // each catalog topic, read in a group of its own
          ...['artists', 'albums', 'tracks'].flatMap((kind) => [
            {
              resource: { type: 'topic', name: `scram-events.catalog.${kind}`, patternType: 'literal' },
              operations: ['Read', 'Describe'],
            },
            {
              resource: {
                type: 'group',
                name: `kafka.scram.lake-writer.scram-events.catalog.${kind}`,
                patternType: 'literal',
              },
              operations: ['Read'],
            },
          ]),
        ],
      },
    });
    // the simulator publishes its catalog
    const sourceAcls = (await kafkaUser('scram-source-0'))?.spec as {
      authorization: { acls: Array<{ resource: { name: string }; operations: string[] }> };
    };
    expect(sourceAcls.authorization.acls.map((a) => `${a.resource.name} ${a.operations.join('+')}`)).toEqual([
      'scram-events Write+Describe',
      'scram-events.dlq Write+Describe',
      'scram-events.catalog.artists Write+Describe',
      'scram-events.catalog.albums Write+Describe',
      'scram-events.catalog.tracks Write+Describe',
    ]);
    expect(lakeWriterUser?.metadata?.labels?.['strimzi.io/cluster']).toBe('events');

    // The User Operator refuses a user (the Kafka resource has no simple authorization): its words reach status.
    await setUserStatus('scram-keda', {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'InvalidResourceException',
          message:
            'Simple authorization ACL rules are configured but not supported in the Kafka cluster configuration.',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    await waitFor('the KafkaUser status in the condition', async () => {
      const c = await conditionReason(client, NS, 'scram', 'WorkloadsReady', 'KafkaCredentialsMissing');
      return c.message.includes(
        'Secret scram-keda of KafkaUser scram-keda does not exist yet: Strimzi reports InvalidResourceException: Simple authorization ACL rules are configured but not supported',
      );
    });

    // Strimzi writes every Secret: the reason moves on (no kubelet here, so Deployments are not available).
    for (const u of users) await playUserOperator(u, `made-up-${u}-password`);
    const next = await conditionReason(client, NS, 'scram', 'WorkloadsReady', 'DeploymentsNotAvailable');
    expect(next.message).not.toContain('made-up-');
    const deployment = await client.get<Obj>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'scram-lake-writer',
    });
    const env = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec
      .containers[0]!.env;
    expect(env.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'scram-lake-writer',
      key: 'password',
    });
    expect(env.find((e) => e.name === 'KAFKA_SASL_JAAS_CONFIG')?.valueFrom?.secretKeyRef).toEqual({
      name: 'scram-lake-writer',
      key: 'sasl.jaas.config',
    });
    expect(env.find((e) => e.name === 'KAFKA_BROKERS')?.value).toBe('events-kafka-bootstrap.kafka.svc:9094');
    expect(JSON.stringify(deployment)).not.toContain('made-up-');
    const auth = await client.get<Obj>({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      namespace: NS,
      name: 'scram-lake-writer-kafka',
    });
    expect(auth.spec).toMatchObject({
      secretTargetRef: [{ parameter: 'password', name: 'scram-keda', key: 'password' }],
      configMapTargetRef: [{ parameter: 'username', name: 'scram-keda-kafka', key: 'username' }],
    });

    // Authentication off: the KafkaUsers go (their Secrets go with them, Strimzi's owner references).
    await applyPipeline('scram', {});
    await waitFor('KafkaUsers removed', async () => {
      for (const u of users) if (await kafkaUser(u)) throw new Error(`${u} still there`);
      return true;
    });
  });

  it('on a TLS listener, a missing cluster CA Secret is reported by name', async () => {
    await applyPipeline('mtls', { port: 9093, tls: true, authentication: 'tls' });
    const missing = await conditionReason(client, NS, 'mtls', 'WorkloadsReady', 'KafkaCredentialsMissing');
    expect(missing.message).toContain(
      'Secret events-cluster-ca-cert (the cluster CA certificate Strimzi writes for Kafka events) does not exist in namespace kafka',
    );
    expect(missing.message).toContain(
      'Secret mtls-lake-writer of KafkaUser mtls-lake-writer does not exist yet',
    );
    expect((await kafkaUser('mtls-source-0'))?.spec).toMatchObject({ authentication: { type: 'tls' } });
  });
});
