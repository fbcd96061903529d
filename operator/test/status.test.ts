// Status that tells the story, against the real API server and S3 server: a refused child, a capped
// plan, a schedule that cannot run, a missing Secret, a renamed topic, a reason column. Every test makes
// its own pipelines (each with a topic and bucket of its own).
import type { S3Instance } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronProblem } from '../src/builders/cron-schedule.js';
import type { KubeClient } from '../src/kube/client.js';
import {
  API,
  type Cond,
  condition,
  conditionReason,
  conditionsOf,
  createBrokerPool,
  type Obj,
  pipelineRef,
  reconciled,
  STRIMZI,
} from './fixtures.js';
import { createSecret, waitFor } from './kube-helpers.js';
import { type OperatorEnv, startOperatorEnv } from './operator-env.js';
import { ADMITTED_SCHEDULES } from './schedule-corpus.js';

const NS = 'music';
const KAFKA_NS = 'kafka';
let env: OperatorEnv;
let s3: S3Instance;
let client: KubeClient;

beforeAll(async () => {
  env = await startOperatorEnv({
    name: 'status-test',
    namespaces: [NS, KAFKA_NS],
    lakeCredentialsIn: [NS],
    prepare: (c) =>
      createSecret(c, NS, 'pg-creds', {
        POSTGRES_HOST: 'pg.invalid',
        POSTGRES_USER: 'loader',
        POSTGRES_PASSWORD: 'made-up-password',
      }),
  });
  ({ s3, client } = env);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

/** A pipeline's spec with its own pool, topic `<name>-events` and bucket `lake-<name>`. */
const specOf = (name: string) => ({
  audience: { users: 1_000_000 },
  kafka: {
    strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: `${name}-brokers` },
    topic: { name: `${name}-events` },
  },
  sources: [{ type: 'simulator', eventsPerSecond: 100 }],
  lakeWriter: { autoscaler: 'none' },
  lake: { endpoint: s3.endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
  warehouse: { type: 'postgres', credentialsSecret: 'pg-creds', database: 'spotify' },
});

/** `spec` merges over specOf(name). */
async function applyPipeline(name: string, spec: Record<string, unknown> = {}) {
  await client.apply({
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: { ...specOf(name), ...spec },
  } as never);
}

/** Null when the API server would create the object (server-side dry run), else its message. */
const dryRun = (path: string, body: Record<string, unknown>) =>
  client.request('POST', path, { body, query: { dryRun: 'All' } }).then(
    () => null,
    (err: Error) => err.message,
  );

async function freshPipeline(name: string, spec: Record<string, unknown> = {}) {
  await createBrokerPool(client, KAFKA_NS, `${name}-brokers`);
  await applyPipeline(name, spec);
  return reconciled(client, NS, name);
}

const reasons = async (name: string) =>
  Object.fromEntries((await conditionsOf(client, NS, name)).map((c: Cond) => [c.type, c.reason]));

describe('a child the API server refuses', () => {
  it('becomes its step condition with the API server message; every other step still reports and applies', async () => {
    // A cluster policy that refuses transform CronJobs (the API server itself enforces it).
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'no-transform-cronjobs' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          // only this test's pipeline: the others in this file are not subject to it
          objectSelector: { matchLabels: { 'pipeline.spotify-pipeline.io/name': 'refused' } },
          resourceRules: [
            {
              apiGroups: ['batch'],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['cronjobs'],
            },
          ],
        },
        validations: [
          {
            expression: "!object.metadata.name.endsWith('-transform')",
            message: 'transform CronJobs are not allowed in this cluster',
          },
        ],
      },
    };
    await client.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
      body: policy,
    });
    await client.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'no-transform-cronjobs' },
        spec: { policyName: 'no-transform-cronjobs', validationActions: ['Deny'] },
      },
    });
    await waitFor('the policy in force', async () => {
      const err = await client
        .request('POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, {
          body: {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            metadata: { name: 'probe-transform', labels: { 'pipeline.spotify-pipeline.io/name': 'refused' } },
            spec: {
              schedule: '* * * * *',
              jobTemplate: {
                spec: {
                  template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
                },
              },
            },
          },
          query: { dryRun: 'All' },
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      return err !== null;
    });
    await freshPipeline('refused');
    const schedule = await conditionReason(client, NS, 'refused', 'ScheduleReady', 'ApiServerRejected');
    expect(schedule.message).toContain('transform CronJobs are not allowed in this cluster');
    expect(schedule.message).toContain('refused-transform');
    expect(await reasons('refused')).toMatchObject({
      CapacityPlanned: 'PlanWithinLimits',
      TopicsReady: 'TopicNotReady',
      BrokersReady: 'BrokersSized',
      LakeReady: 'BucketReady',
      WorkloadsReady: 'DeploymentsNotAvailable',
    });
    // the rest of the schedule is applied all the same
    expect(
      await client.getOrNull({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        namespace: NS,
        name: 'refused-load',
      }),
    ).not.toBeNull();
  });
});

describe('limits in the planner', () => {
  it('a mistyped audience is capped, says so, and plans nothing that cannot be taken back', async () => {
    await freshPipeline('typo', {
      audience: { users: 9_000_000_000, eventsPerUserPerDay: 100_000 },
      sources: [{ type: 'simulator', eventsPerSecond: 1_000_000 }],
    });
    const planned = await conditionReason(client, NS, 'typo', 'CapacityPlanned', 'PlanCapped');
    expect(planned.message).toMatch(/partitions: .* capped at 10,000/);
    expect(planned.message).toMatch(
      /source memory: .* capped at 16,384 MiB \(check spec.sources\[0\].eventsPerSecond\)/,
    );
    expect((await condition(client, NS, 'typo', 'Ready'))?.reason).toBe('PlanCapped');
    const topic = await waitFor('KafkaTopic', () =>
      client.getOrNull<Obj>({
        apiVersion: STRIMZI,
        kind: 'KafkaTopic',
        namespace: KAFKA_NS,
        name: 'typo-events',
      }),
    );
    expect(topic.spec?.partitions).toBe(10_000);
    const pool = await client.get<Obj>({
      apiVersion: STRIMZI,
      kind: 'KafkaNodePool',
      namespace: KAFKA_NS,
      name: 'typo-brokers',
    });
    expect(pool.spec?.replicas as number).toBeLessThanOrEqual(12);
    const source = await client.get<Obj>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'typo-source-0',
    });
    const template = source.spec?.template as
      | { spec: { containers: Array<{ resources: { requests: { memory: string } } }> } }
      | undefined;
    const container = template?.spec.containers[0];
    expect(['16Gi', '16384Mi']).toContain(container?.resources.requests.memory);
  });
});

describe('schedules', () => {
  it('an Airflow schedule that never runs is ScheduleReady=False naming the field, and no DAG is published', async () => {
    await freshPipeline('feb30', { schedule: { orchestrator: 'airflow', load: '0 0 30 2 *' } });
    const schedule = await conditionReason(client, NS, 'feb30', 'ScheduleReady', 'InvalidSchedule');
    expect(schedule.message).toContain('spec.schedule.load: "0 0 30 2 *" never runs');
    expect(schedule.message).toContain('Airflow finds no next run for it');
    expect(
      await client.getOrNull({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: NS,
        name: 'feb30-airflow-dag',
      }),
    ).toBeNull();
  });

  it('a CronJob schedule Kubernetes would refuse (a range that runs backwards) is reported, not thrown', async () => {
    await freshPipeline('backwards', { schedule: { transform: '30-10 * * * *' } });
    const schedule = await conditionReason(client, NS, 'backwards', 'ScheduleReady', 'InvalidSchedule');
    expect(schedule.message).toContain('spec.schedule.transform');
    expect(await reasons('backwards')).toMatchObject({
      LakeReady: 'BucketReady',
      WorkloadsReady: 'DeploymentsNotAvailable',
    });
  });

  it('the operator refuses exactly the admitted schedules Kubernetes refuses in a CronJob, and those that never run', async () => {
    const verdicts = [];
    for (const schedule of ADMITTED_SCHEDULES) {
      const admitted = await dryRun(`/apis/${API}/namespaces/${NS}/spotifypipelines`, {
        apiVersion: API,
        kind: 'SpotifyPipeline',
        metadata: { name: 'probe' },
        spec: { ...specOf('probe'), schedule: { load: schedule } },
      });
      const cronJob = await dryRun(`/apis/batch/v1/namespaces/${NS}/cronjobs`, {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'probe' },
        spec: {
          schedule,
          jobTemplate: {
            spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
          },
        },
      });
      const problem = cronProblem(schedule);
      verdicts.push({ schedule, admitted, kubernetesAccepts: cronJob, operator: problem?.kind ?? 'runs' });
    }
    // A schedule that never runs is one Kubernetes accepts and never starts: the operator says so instead.
    expect(verdicts).toEqual(
      verdicts.map((v) => ({
        ...v,
        admitted: null,
        operator: v.kubernetesAccepts === null ? expect.stringMatching(/^(runs|never)$/) : 'backwards',
      })),
    );
    expect(verdicts.filter((v) => v.operator === 'never').map((v) => v.schedule)).toEqual([
      '0 0 30 2 *',
      '0 0 31 4 *',
      '0 0 31 2,4,6,9,11 *',
    ]);
  });
});

describe('a DuckDB warehouse', () => {
  it('gets its volume, one writer job and insights on the snapshot, and says single node, single writer', async () => {
    await freshPipeline('duck', {
      warehouse: { type: 'duckdb', duckdb: { storage: '2Gi' } },
      insights: { enabled: true },
    });
    const schedule = await conditionReason(client, NS, 'duck', 'ScheduleReady', 'Scheduled');
    expect(schedule.message).toContain('Load and transform run as one job');
    expect(schedule.message).toContain('single-node');
    const pipeline = await waitFor('status.warehouse', async () => {
      const p = (await client.getOrNull(pipelineRef(NS, 'duck'))) as Obj | null;
      return p?.status?.warehouse ? p : null;
    });
    // No volume provisioner runs here: the claim stays Pending, and says so.
    expect(pipeline.status?.warehouse).toEqual({
      type: 'duckdb',
      volume: 'duck-duckdb',
      volumePhase: 'Pending',
      topology: 'SingleNode,SingleWriter',
    });
    const claim = (await client.getOrNull({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: NS,
      name: 'duck-duckdb',
    })) as Obj | null;
    expect(claim?.spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '2Gi' } },
    });
    const cronJob = (name: string) =>
      client.getOrNull({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: NS, name });
    expect(await cronJob('duck-load')).toBeNull();
    expect(await cronJob('duck-transform')).not.toBeNull();
    const insights = (await client.getOrNull({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'duck-insights',
    })) as Obj | null;
    expect(JSON.stringify(insights?.spec)).toContain('"claimName":"duck-duckdb","readOnly":true');
    // A claim that no volume has bound yet cannot grow (Kubernetes): the refusal is the condition's message.
    await applyPipeline('duck', {
      warehouse: { type: 'duckdb', duckdb: { storage: '3Gi' } },
      insights: { enabled: true },
    });
    const refused = await conditionReason(client, NS, 'duck', 'ScheduleReady', 'ApiServerRejected');
    expect(refused.message).toContain('duck-duckdb');
    expect(refused.message).toMatch(/except resources.requests .* for bound claims/);
    expect(await cronJob('duck-transform')).not.toBeNull();
  });
});

describe('Secrets of every workload', () => {
  it('names the Secret and the field for the loader and for a source, and withholds the source that cannot start', async () => {
    await freshPipeline('secrets', {
      warehouse: { type: 'snowflake', credentialsSecret: 'sf-creds', database: 'SPOTIFY' },
      sources: [
        {
          type: 'spotify_api',
          credentialsSecret: 'spotify-app',
          spotifyApi: { tokenSecret: 'spotify-tokens', listeners: [{ userId: 'alice' }] },
        },
      ],
    });
    const schedule = await conditionReason(client, NS, 'secrets', 'ScheduleReady', 'SecretMissing');
    expect(schedule.message).toContain(
      'Secret sf-creds (spec.warehouse.credentialsSecret), which does not exist',
    );
    const workloads = await conditionReason(client, NS, 'secrets', 'WorkloadsReady', 'SourceNotReady');
    expect(workloads.message).toContain('spec.sources[0] (spotify_api): Secret spotify-app does not exist');
    expect(
      await client.getOrNull({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NS,
        name: 'secrets-source-0',
      }),
    ).toBeNull();
    await createSecret(client, NS, 'spotify-app', {
      SPOTIFY_CLIENT_ID: 'made-up',
      SPOTIFY_CLIENT_SECRET: 'made-up',
    });
    await waitFor('source deployed', () =>
      client.getOrNull({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NS,
        name: 'secrets-source-0',
      }),
    );
  });
});

describe('a renamed topic', () => {
  it.each(['Delete', 'Retain'] as const)(
    'leaves no objects of the former name behind under %s',
    async (deletionPolicy) => {
      const name = `renamed-${deletionPolicy.toLowerCase()}`;
      await freshPipeline(name, { deletionPolicy });
      await waitFor('old KafkaTopic', () =>
        client.getOrNull({
          apiVersion: STRIMZI,
          kind: 'KafkaTopic',
          namespace: KAFKA_NS,
          name: `${name}-events`,
        }),
      );
      await applyPipeline(name, {
        deletionPolicy,
        kafka: {
          strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: `${name}-brokers` },
          topic: { name: `${name}-plays` },
        },
      });
      await waitFor('new KafkaTopic', () =>
        client.getOrNull({
          apiVersion: STRIMZI,
          kind: 'KafkaTopic',
          namespace: KAFKA_NS,
          name: `${name}-plays`,
        }),
      );
      const owned = async () =>
        (
          await client.list<Obj>(
            { apiVersion: STRIMZI, kind: 'KafkaTopic', namespace: KAFKA_NS },
            { labelSelector: `pipeline.spotify-pipeline.io/name=${name}` },
          )
        ).items
          .map((t) => t.metadata?.name)
          .sort();
      // Waiting for the exact list, not a count: mid-rename the pipeline can own one old and one new topic.
      const expected = [
        `${name}-plays`,
        ...['albums', 'artists', 'tracks'].map((k) => `${name}-plays.catalog.${k}`),
        `${name}-plays.dlq`,
      ];
      await waitFor(
        'old KafkaTopics gone from the pipeline',
        async () => JSON.stringify(await owned()) === JSON.stringify(expected),
      );
      expect(await owned()).toEqual(expected);
      const old = await client.getOrNull<Obj>({
        apiVersion: STRIMZI,
        kind: 'KafkaTopic',
        namespace: KAFKA_NS,
        name: `${name}-events`,
      });
      if (deletionPolicy === 'Delete') expect(old).toBeNull();
      else
        expect(old?.metadata?.annotations?.['pipeline.spotify-pipeline.io/retained-from']).toBe(
          `${NS}/${name}`,
        );
      const status = await client.get<Obj>(pipelineRef(NS, name));
      expect(status.status?.claims).not.toContain(`kafkatopic:${KAFKA_NS}/${name}-events`);
    },
  );
});

describe('kubectl get spl', () => {
  it('shows why a pipeline is not Ready in a Reason column', async () => {
    await freshPipeline('columns', {
      lake: { endpoint: s3.endpoint, bucket: 'lake-columns', credentialsSecret: 'absent' },
    });
    await conditionReason(client, NS, 'columns', 'Ready', 'TopicNotReady');
    const table = await client.request<{
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[] }>;
    }>('GET', `/apis/${API}/namespaces/${NS}/spotifypipelines/columns`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const columns = table.columnDefinitions.map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['Ready', 'Reason', 'Message']));
    const row = table.rows[0]?.cells ?? [];
    expect(row[columns.indexOf('Reason')]).toBe('TopicNotReady');
    expect(String(row[columns.indexOf('Message')])).toContain(
      'LakeReady: Secret absent (spec.lake.credentialsSecret) is missing',
    );

    // a paused pipeline says so in the same columns
    await client.request('PATCH', `/apis/${API}/namespaces/${NS}/spotifypipelines/columns`, {
      body: { metadata: { annotations: { 'pipeline.spotify-pipeline.io/paused': 'true' } } },
      contentType: 'application/merge-patch+json',
    });
    await conditionReason(client, NS, 'columns', 'Ready', 'ReconciliationPaused');
    const paused = await client.request<typeof table>(
      'GET',
      `/apis/${API}/namespaces/${NS}/spotifypipelines/columns`,
      { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    );
    const pausedRow = paused.rows[0]?.cells ?? [];
    expect(pausedRow[columns.indexOf('Ready')]).toBe('False');
    expect(pausedRow[columns.indexOf('Reason')]).toBe('ReconciliationPaused');
    expect(String(pausedRow[columns.indexOf('Message')])).toContain('Remove the annotation to resume');
  });
});
