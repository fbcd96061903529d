import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createTopicWithDlq,
  freePort,
  groupLag,
  type KafkaInstance,
  makeWorkdir,
  readTopic,
  repoRoot,
  type S3Instance,
  startKafka,
  startProcess,
  startS3,
  waitUntil,
} from '@spotify-pipeline/harness';
import {
  applyStrimziAcls,
  type StrimziAclRule,
  strimziPrincipal,
} from '@spotify-pipeline/harness/kafka-acls';
import { makeKafkaCertificates } from '@spotify-pipeline/harness/kafka-certs';
import { createScramUser, superUserSettings } from '@spotify-pipeline/harness/kafka-security';
import { sampleEvent } from '@spotify-pipeline/lake-writer/testing/sample-event';
import { buildKedaKafkaConfig } from '@spotify-pipeline/operator/builders/autoscaler';
import type { BuildContext, ChildObject } from '@spotify-pipeline/operator/builders/context';
import { kafkaUsers } from '@spotify-pipeline/operator/builders/index';
import { buildInsightsDeployment } from '@spotify-pipeline/operator/builders/insights';
import { pipelineTopics } from '@spotify-pipeline/operator/builders/kafka-topic';
import { buildSourceWorkloads } from '@spotify-pipeline/operator/builders/sources';
import { buildLakeWriterDeployment } from '@spotify-pipeline/operator/builders/workloads';
import { testContext } from '@spotify-pipeline/operator/testing/support/builder-context';
import { createLogger, DLQ_HEADERS, loadConfig } from '@spotify-pipeline/shared';
import { consumerGroupLag } from '@spotify-pipeline/shared/consumer-lag';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  createKafka,
  type KafkaEnv,
  kafkaEnvSchema,
  ResourcePatternTypes,
} from '@spotify-pipeline/shared/kafka';
import {
  createIdempotentProducer,
  createPublisher,
  openSourceKafka,
} from '@spotify-pipeline/shared/publisher';
import { lakeWriterEnvSchema, simulatorEnvSchema } from '@spotify-pipeline/shared/workloads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The KafkaUsers the operator emits, tried against a real broker that trusts no one by default: Kafka 4.1 with
// SCRAM-SHA-512 on its client listener, a mutual-TLS listener, the StandardAuthorizer and
// allow.everyone.if.no.acl.found=false. The harness plays Strimzi's User Operator (which cannot run here): it
// gives each KafkaUser its credentials (SCRAM, or a certificate for CN=<name> from the clients CA), writes the
// Secret Strimzi would write, and makes exactly the ACLs of the KafkaUser's spec. The workloads then log in with
// nothing but the env the operator builds for their pods, Secrets resolved as the kubelet resolves them: over
// SCRAM the simulator and the lake writer as their own processes, over mutual TLS their Kafka clients in this
// process, made from their pod env by their own schemas. One test-only override: KAFKA_BROKERS, because the
// Strimzi bootstrap Service's name does not resolve on this host (and OPS_PORT for the processes: every pod may
// listen on 8080, processes on one host cannot).

const logger = createLogger({ name: 'kafka-user-acls-test', level: 'error' });
const SUPER = { username: 'harness-admin', password: randomBytes(12).toString('hex') };
const bucket = 'lake-kafka-users';
const logs = makeWorkdir('kafka-user-acls-logs');
const AUTH_FAILED =
  /^SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512$/;

type Secrets = Record<string, Record<string, string>>;
interface Container {
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
}
type KafkaError = Error & { type?: string; name: string };

function containerOf(object: ChildObject | null | undefined): Container {
  if (!object) throw new Error('the operator built no such workload');
  return (object.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
}

/** What the kubelet hands the process (the variables `only` keeps): plain values, Secret keys by secretKeyRef. */
function resolveEnv(
  container: Container,
  secrets: Secrets,
  only: (name: string) => boolean = () => true,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env.filter((e) => only(e.name))) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value === undefined) throw new Error(`the pod would not start: Secret ${name} has no key ${key}`);
      env[entry.name] = value;
    }
  }
  return env;
}

/** A pipeline named `name` in namespace music beside the Strimzi cluster "events", its listener as given. */
function pipeline(name: string, listener: Record<string, unknown>, topic: string): BuildContext {
  const ctx = testContext({
    kafka: { strimzi: { cluster: 'events', listener }, topic: { name: topic } },
    lake: { endpoint: s3.endpoint, bucket, region: s3.region, credentialsSecret: 'lake-creds' },
    lakeWriter: { autoscaler: 'keda', batch: { maxAgeSeconds: 1 } },
    insights: { enabled: true },
    sources: [{ type: 'simulator', eventsPerSecond: 200 }],
  });
  return { ...ctx, pipeline: { ...ctx.pipeline, metadata: { ...ctx.pipeline.metadata, name } } };
}

/** The KafkaUsers the operator emits for `ctx`, by name, with the ACL rules of their specs. */
function emittedUsers(ctx: BuildContext): Map<string, StrimziAclRule[]> {
  const users = new Map<string, StrimziAclRule[]>();
  for (const child of kafkaUsers(ctx))
    if (child.object) {
      const spec = child.object.spec as { authorization: { acls: StrimziAclRule[] } };
      users.set(child.object.metadata.name, spec.authorization.acls);
    }
  return users;
}

/**
 * The first error a consumer of `topic` in `groupId` crashes with, how many records it read, and the types of
 * the broker's refusals kafkajs logged on the way: where kafkajs swallows one (a group coordinator lookup the
 * broker refuses ends as "Failed to find group coordinator"), only its debug log has the broker's answer.
 */
async function consumerCrash(
  settings: KafkaEnv,
  groupId: string,
  topic: string,
): Promise<{ error: KafkaError; read: number; refusals: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const debugLogger = createLogger({ name: 'consumer', level: 'debug', destination: sink, format: 'json' });
  // kafkajs reads its own level from KAFKAJS_LOG_LEVEL when a client is made.
  const level = process.env.KAFKAJS_LOG_LEVEL;
  process.env.KAFKAJS_LOG_LEVEL = 'debug';
  const consumer = createKafka(settings, debugLogger).consumer({
    groupId,
    retry: { retries: 0, restartOnFailure: async () => false },
  });
  if (level === undefined) delete process.env.KAFKAJS_LOG_LEVEL;
  else process.env.KAFKAJS_LOG_LEVEL = level;
  let read = 0;
  const crashed = new Promise<KafkaError>((resolve) =>
    consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error as KafkaError)),
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        read += 1;
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const error = await Promise.race([
      crashed,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the consumer in ${groupId} never crashed`)), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const refusals = lines.flatMap((line) => {
      const type = (JSON.parse(line) as { error?: { type?: string } }).error?.type;
      return type?.endsWith('_AUTHORIZATION_FAILED') ? [type] : [];
    });
    return { error, read, refusals: [...new Set(refusals)] };
  } finally {
    await consumer.disconnect();
  }
}

/** The error a plain producer gets sending one record to `topic`. */
async function produceError(settings: KafkaEnv, topic: string): Promise<KafkaError> {
  const producer = createKafka(settings, logger).producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: 'must not land' }] });
    throw new Error(`the producer wrote to ${topic}`);
  } catch (err) {
    return err as KafkaError;
  } finally {
    await producer.disconnect();
  }
}

/** The errors of `err`'s cause chain (kafkajs wraps the broker's answer once its retries are spent). */
function causes(err: unknown): KafkaError[] {
  const chain: KafkaError[] = [];
  for (let e = err as (KafkaError & { cause?: unknown }) | undefined; e; e = e.cause as typeof e)
    chain.push(e);
  return chain;
}

/** The Kafka protocol error (an error code from the broker) in `err`'s cause chain. */
const protocolError = (err: unknown) => causes(err).find((e) => e.type);

async function endOffsets(kafkaEnv: KafkaEnv, topic: string): Promise<number> {
  const admin = createKafka(kafkaEnv, logger).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every ACL binding the broker's authorizer holds, by principal, as `<resource type>:<name>:<operation>`
 * (Strimzi's words); only literal allow-from-any-host bindings, anything else is spelt out so that it fails.
 */
async function brokerAcls(kafka: ReturnType<typeof createKafka>): Promise<Map<string, string[]>> {
  const name = (table: object, value: number) =>
    Object.entries(table).find(([, v]) => v === value)?.[0] ?? String(value);
  const strimzi = (upper: string) => upper.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const client = kafka.admin();
  await client.connect();
  try {
    const { resources } = await client.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const held = new Map<string, string[]>();
    for (const r of resources)
      for (const a of r.acls) {
        const odd =
          r.resourcePatternType !== ResourcePatternTypes.LITERAL ||
          a.permissionType !== AclPermissionTypes.ALLOW ||
          a.host !== '*';
        const operation = strimzi(name(AclOperationTypes, a.operation)).replace(/^./, (c) => c.toUpperCase());
        const binding = `${strimzi(name(AclResourceTypes, r.resourceType))}:${r.resourceName}:${operation}`;
        held.set(a.principal, [
          ...(held.get(a.principal) ?? []),
          odd ? `${binding} ${JSON.stringify(a)}` : binding,
        ]);
      }
    return held;
  } finally {
    await client.disconnect();
  }
}

/** The pipeline's compacted catalog topics as its KafkaTopics make them (the broker creates none on first use). */
async function createCatalogTopics(ctx: BuildContext): Promise<void> {
  const client = admin().admin();
  await client.connect();
  try {
    await client.createTopics({
      topics: pipelineTopics(ctx)
        .filter((t) => t.config['cleanup.policy'] === 'compact')
        .map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      waitForLeaders: true,
    });
  } finally {
    await client.disconnect();
  }
}

let kafka: KafkaInstance;
let s3: S3Instance;
let superUser: KafkaEnv;
const admin = () => createKafka(superUser, logger);

beforeAll(async () => {
  [kafka, s3] = await Promise.all([
    startKafka({ autoCreateTopics: false, security: { superUser: SUPER, mutualTls: true } }),
    startS3(),
  ]);
  superUser = superUserSettings(kafka);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
  logs.remove();
});

describe('KafkaUsers with SCRAM-SHA-512 against a broker with the StandardAuthorizer', () => {
  const TOPIC = 'plays';
  let ctx: BuildContext;
  let users: Map<string, StrimziAclRule[]>;
  const secrets: Secrets = {};
  /** A workload's Kafka settings from its pod env, as its own schema reads them. */
  const kafkaEnvOf = (env: Record<string, string>) => loadConfig(kafkaEnvSchema, env);
  let source: Record<string, string>;
  let lakeWriter: Record<string, string>;
  let insights: Record<string, string>;

  beforeAll(async () => {
    ctx = pipeline('wrapped', { authentication: 'scram-sha-512' }, TOPIC);
    users = emittedUsers(ctx);
    // Topics as the operator's KafkaTopics make them (the broker creates none on first use).
    await createTopicWithDlq(admin(), TOPIC, 3);
    await createCatalogTopics(ctx);
    // The User Operator's part: credentials, the Secret it writes, the ACLs.
    await Promise.all(
      [...users.keys()].map((username) => {
        const password = randomBytes(12).toString('hex');
        secrets[username] = {
          password,
          'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
        };
        return createScramUser(kafka, { username, password });
      }),
    );
    for (const [username, rules] of users)
      await applyStrimziAcls(admin(), strimziPrincipal(username, 'scram-sha-512'), rules);
    secrets['lake-creds'] = { LAKE_ACCESS_KEY: s3.accessKey, LAKE_SECRET_KEY: s3.secretKey };
    const podEnv = (object: ChildObject | null | undefined, only?: (name: string) => boolean) => ({
      ...resolveEnv(containerOf(object), secrets, only),
      KAFKA_BROKERS: kafka.bootstrap,
    });
    source = podEnv(buildSourceWorkloads(ctx)[0]?.object);
    lakeWriter = podEnv(buildLakeWriterDeployment(ctx));
    // Only its Kafka settings: its warehouse is not what this test is about.
    insights = podEnv(buildInsightsDeployment(ctx), (name) => name.startsWith('KAFKA_'));
  }, 240_000);

  it('each workload has its own KafkaUser; the broker holds exactly the ACLs of its spec', async () => {
    expect([...users.keys()]).toEqual([
      'wrapped-source-0',
      'wrapped-lake-writer',
      'wrapped-insights',
      'wrapped-keda',
    ]);
    // Each workload logs in as its own user, from its own KafkaUser's Secret.
    expect(kafkaEnvOf(source)).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL: false });
    expect(kafkaEnvOf(lakeWriter).KAFKA_SASL_JAAS_CONFIG).toContain('username="wrapped-lake-writer"');
    const held = await brokerAcls(admin());
    for (const [name, rules] of users)
      expect(held.get(`User:${name}`)?.sort(), name).toEqual(
        rules.flatMap((r) => r.operations.map((op) => `${r.resource.type}:${r.resource.name}:${op}`)).sort(),
      );
    expect(held.get('User:wrapped-lake-writer')?.sort()).toEqual(
      [
        'group:music.wrapped.lake-writer:Read',
        'topic:plays.dlq:Describe',
        'topic:plays.dlq:Write',
        'topic:plays:Describe',
        'topic:plays:Read',
        ...['artists', 'albums', 'tracks'].flatMap((kind) => [
          `group:music.wrapped.lake-writer.plays.catalog.${kind}:Read`,
          `topic:plays.catalog.${kind}:Describe`,
          `topic:plays.catalog.${kind}:Read`,
        ]),
      ].sort(),
    );
  });

  it("the simulator, started with its pod's env, publishes to the events topic with its idempotent producer", async () => {
    const before = await endOffsets(superUser, TOPIC);
    const proc = startProcess({
      name: 'simulator',
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', join(repoRoot, 'services/simulator/src/cli.ts')],
      cwd: repoRoot,
      env: { PATH: process.env.PATH, ...source, OPS_PORT: String(await freePort()) },
      logFile: join(logs.path, 'simulator.log'),
    });
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    await waitUntil(
      'the simulator to publish 200 events',
      async () => (await endOffsets(superUser, TOPIC)) >= before + 200,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        logHint: () => proc.tail(),
      },
    );
    await proc.stop(30_000);
    expect(await exited, proc.tail()).toBe(0);
    expect(proc.tail(200)).not.toMatch(/AUTHORIZATION_FAILED|authentication failed/i);
  });

  it("the lake writer, started with its pod's env, reads the topic in its group, commits, and dead-letters", async () => {
    // A careless source: the source's user may write anything to the events topic, e.g. a record that is no event.
    const careless = createKafka(kafkaEnvOf(source), logger).producer();
    await careless.connect();
    await careless.send({
      topic: TOPIC,
      acks: -1,
      messages: [{ key: 'u', value: 'not json' }, { value: JSON.stringify(sampleEvent()) }],
    });
    await careless.disconnect();
    const proc = startProcess({
      name: 'lake-writer',
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', join(repoRoot, 'services/lake-writer/src/main.ts')],
      cwd: repoRoot,
      env: { PATH: process.env.PATH, ...lakeWriter, OPS_PORT: String(await freePort()) },
      logFile: join(logs.path, 'lake-writer.log'),
    });
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    const group = lakeWriter.LAKE_WRITER_GROUP_ID!;
    expect(group).toBe('music.wrapped.lake-writer');
    await waitUntil(
      'the lake writer to commit every record',
      async () => (await groupLag(admin(), group, TOPIC)) === 0,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        logHint: () => proc.tail(),
      },
    );
    const letters = await readTopic(admin(), `${TOPIC}.dlq`);
    expect(letters.map((l) => [l.value.toString(), l.headers[DLQ_HEADERS.stage]])).toContainEqual([
      'not json',
      'lake-writer',
    ]);
    await proc.stop(30_000);
    expect(await exited, proc.tail()).toBe(0);
    expect(proc.tail(400)).not.toMatch(/AUTHORIZATION_FAILED|authentication failed/i);
  });

  it("insights and KEDA's user read the lake writer's lag; neither may join its group", async () => {
    const group = lakeWriter.LAKE_WRITER_GROUP_ID!;
    // KEDA logs in as its TriggerAuthentication says: the user name from a ConfigMap, the password from its
    // KafkaUser's Secret. Its own (Go) client is not run here: kafkajs makes the same requests (offsets of the
    // group, end offsets and metadata of the topic).
    const kedaConfig = buildKedaKafkaConfig(ctx) as { data: { username: string } } | null;
    const keda: KafkaEnv = {
      ...kafkaEnvOf(insights),
      KAFKA_CLIENT_ID: 'keda',
      KAFKA_SASL_JAAS_CONFIG: undefined,
      KAFKA_SASL_USERNAME: kedaConfig?.data.username,
      KAFKA_SASL_PASSWORD: secrets[kedaConfig?.data.username ?? '']?.password,
    };
    const lag = await groupLag(admin(), group, TOPIC);
    for (const settings of [kafkaEnvOf(insights), keda]) {
      const client = createKafka(settings, logger).admin();
      await client.connect();
      try {
        expect(await consumerGroupLag(client, group, TOPIC)).toBe(lag);
      } finally {
        await client.disconnect();
      }
      const joined = await consumerCrash(settings, group, TOPIC);
      expect(protocolError(joined.error)?.type, joined.error.stack).toBe('GROUP_AUTHORIZATION_FAILED');
      expect(joined.read).toBe(0);
    }
  });

  it('refused: the lake writer writing events or reading its DLQ; the source reading events or making topics', async () => {
    const writer = kafkaEnvOf(lakeWriter);
    const wrote = await produceError(writer, TOPIC);
    expect(protocolError(wrote)?.type, wrote.stack).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(wrote.message).toBe('Not authorized to access topics: [Topic authorization failed]');

    const dlq = await consumerCrash(writer, lakeWriter.LAKE_WRITER_GROUP_ID!, `${TOPIC}.dlq`);
    expect(protocolError(dlq.error)?.type, dlq.error.stack).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(dlq.read).toBe(0);

    const sourceSettings = kafkaEnvOf(source);
    for (const group of [lakeWriter.LAKE_WRITER_GROUP_ID!, 'wrapped-source-0']) {
      // No ACL names a group for it: the broker refuses even to say which broker coordinates the group.
      const read = await consumerCrash(sourceSettings, group, TOPIC);
      expect(read.error.name, read.error.stack).toBe('KafkaJSGroupCoordinatorNotFound');
      expect(read.refusals).toEqual(['GROUP_AUTHORIZATION_FAILED']);
      expect(read.read).toBe(0);
    }

    const sourceAdmin = createKafka(sourceSettings, logger).admin();
    await sourceAdmin.connect();
    try {
      // Topics are the operator's (KafkaTopics): no source may make one, as SOURCE_CREATE_TOPICS would.
      const made = await sourceAdmin.createTopics({ topics: [{ topic: 'made-by-a-source' }] }).then(
        () => null,
        (err: KafkaError & { errors?: unknown[] }) => err,
      );
      expect(made?.name, made?.stack).toBe('KafkaJSAggregateError');
      expect(made?.errors?.map((e) => protocolError(e)?.type)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    } finally {
      await sourceAdmin.disconnect();
    }
    const topics = admin().admin();
    await topics.connect();
    expect(await topics.listTopics()).not.toContain('made-by-a-source');
    await topics.disconnect();
  });

  it('refused at login: a wrong password, a user with no KafkaUser', async () => {
    for (const settings of [
      { ...kafkaEnvOf(source), KAFKA_SASL_PASSWORD: `${secrets['wrapped-source-0']?.password}x` },
      { ...kafkaEnvOf(source), KAFKA_SASL_USERNAME: 'wrapped-source-9' },
    ]) {
      const client = createKafka(settings, logger).admin();
      const err = (await client.connect().then(
        () => null,
        (e: KafkaError) => e,
      )) as KafkaError | null;
      await client.disconnect();
      expect(err?.name).toBe('KafkaJSSASLAuthenticationError');
      expect(err?.message).toMatch(AUTH_FAILED);
    }
  });
});

describe('KafkaUsers with mutual TLS (a certificate for CN=<name>) against the same broker', () => {
  const TOPIC = 'plays-tls';
  const secrets: Secrets = {};
  let users: Map<string, StrimziAclRule[]>;
  let source: Record<string, string>;
  let lakeWriter: Record<string, string>;

  beforeAll(async () => {
    const tls = kafka.security?.tls;
    if (!tls) throw new Error('the broker has no mutual-TLS listener');
    const ctx = pipeline('wrapped-tls', { authentication: 'tls', tls: true }, TOPIC);
    users = emittedUsers(ctx);
    await createTopicWithDlq(admin(), TOPIC, 3);
    await createCatalogTopics(ctx);
    // The User Operator's part: a certificate from the clients CA, the Secret it writes, the ACLs.
    secrets['events-cluster-ca-cert'] = { 'ca.crt': tls.clusterCaCert };
    secrets['lake-creds'] = { LAKE_ACCESS_KEY: s3.accessKey, LAKE_SECRET_KEY: s3.secretKey };
    for (const [name, rules] of users) {
      const { cert, key } = tls.issueUserCertificate(name);
      secrets[name] = { 'user.crt': cert, 'user.key': key };
      await applyStrimziAcls(admin(), strimziPrincipal(name, 'tls'), rules);
    }
    const podEnv = (object: ChildObject | null | undefined) => ({
      ...resolveEnv(containerOf(object), secrets),
      KAFKA_BROKERS: tls.bootstrap,
    });
    source = podEnv(buildSourceWorkloads(ctx)[0]?.object);
    lakeWriter = podEnv(buildLakeWriterDeployment(ctx));
  }, 120_000);

  it("the source's certificate publishes events and a dead letter through the shared publisher", async () => {
    const config = loadConfig(simulatorEnvSchema, source);
    expect(config).toMatchObject({ KAFKA_SSL: true, SOURCE_TOPIC: TOPIC });
    const { kafka: client, topics } = await openSourceKafka(config, logger);
    const publisher = createPublisher({
      producer: createIdempotentProducer(client),
      logger,
      source: 'simulator',
      topics,
    });
    for (let i = 0; i < 50; i++) publisher.publish(sampleEvent());
    publisher.publishRaw('{"not": "an event"}');
    await publisher.close();
    expect(publisher.stats()).toMatchObject({ produced: 51, deadLettered: 1 });
    expect(await endOffsets(superUser, TOPIC)).toBeGreaterThanOrEqual(50);
    expect(await endOffsets(superUser, `${TOPIC}.dlq`)).toBeGreaterThanOrEqual(1);
  });

  it("the lake writer's certificate reads the topic in its group, commits, and writes its DLQ", async () => {
    const config = loadConfig(lakeWriterEnvSchema, lakeWriter);
    const client = createKafka(config, logger);
    const letters = client.producer();
    await letters.connect();
    await letters.send({ topic: config.LAKE_WRITER_DLQ_TOPIC, acks: -1, messages: [{ value: 'a letter' }] });
    await letters.disconnect();
    const consumer = client.consumer({ groupId: config.LAKE_WRITER_GROUP_ID });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [config.LAKE_WRITER_TOPIC], fromBeginning: true });
      await consumer.run({ eachMessage: async () => {} });
      await waitUntil(
        `group ${config.LAKE_WRITER_GROUP_ID} to commit all of ${TOPIC}`,
        async () =>
          (await endOffsets(superUser, TOPIC)) > 0 &&
          (await groupLag(admin(), config.LAKE_WRITER_GROUP_ID, TOPIC)) === 0,
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    } finally {
      await consumer.disconnect();
    }
  });

  it("refused: the lake writer's certificate writing events; a certificate the clients CA did not sign; none", async () => {
    const wrote = await produceError(loadConfig(kafkaEnvSchema, lakeWriter), TOPIC);
    expect(protocolError(wrote)?.type, wrote.stack).toBe('TOPIC_AUTHORIZATION_FAILED');

    const stranger = makeKafkaCertificates(join(logs.path, 'stranger'), '127.0.0.1').issueUserCertificate(
      'wrapped-tls-source-0',
    );
    const sourceSettings = loadConfig(kafkaEnvSchema, source);
    // The broker ends the handshake with a TLS alert: 46 certificate_unknown for a certificate it cannot
    // verify, 42 bad_certificate for none.
    const refusals = await Promise.all(
      [
        { ...sourceSettings, KAFKA_SSL_CERT: stranger.cert, KAFKA_SSL_KEY: stranger.key },
        { ...sourceSettings, KAFKA_SSL_CERT: undefined, KAFKA_SSL_KEY: undefined },
      ].map(async (settings) => {
        const client = createKafka(settings, logger).admin();
        const err = await client.connect().then(
          () => null,
          (e: KafkaError) => e,
        );
        await client.disconnect();
        return causes(err).find((e) => e.name === 'KafkaJSConnectionError')?.message ?? String(err?.stack);
      }),
    );
    expect(refusals[0]).toMatch(/SSL alert number 46$/m);
    expect(refusals[0]).toMatch(/alert certificate unknown/);
    expect(refusals[1]).toMatch(/alert bad certificate/);
  });
});
