// The resource's schema and CEL rules as the real API server applies them: no operator runs here.
import { type KubeInstance, startKubeApiServer } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, type KubeClient } from '../src/kube/client.js';
import { API } from './fixtures.js';
import { createNamespace, installCrd, pipelineCrd, testClient } from './kube-helpers.js';

const NS = 'music';
let kube: KubeInstance;
let client: KubeClient;

beforeAll(async () => {
  kube = await startKubeApiServer();
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await createNamespace(client, NS);
}, 240_000);

afterAll(async () => {
  client?.close();
  await kube?.stop();
});

function pipeline(spec: Record<string, unknown>, name = 'invalid') {
  return {
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 5_000_000 },
      kafka: { strimzi: { cluster: 'events' } },
      lake: { endpoint: 'http://s3.lake:9000', bucket: 'lake', credentialsSecret: 'lake-creds' },
      ...spec,
    },
  };
}

async function createError(body: unknown, query: Record<string, string> = {}): Promise<KubeApiError | null> {
  return client
    .request('POST', `/apis/${API}/namespaces/${NS}/spotifypipelines`, {
      body,
      query: { dryRun: 'All', ...query },
    })
    .then(
      () => null,
      (e: unknown) => e as KubeApiError,
    );
}

async function rejects(spec: Record<string, unknown>, message: RegExp, query: Record<string, string> = {}) {
  const err = await createError(pipeline(spec), query);
  expect(err, `accepted: ${JSON.stringify(spec)}`).toBeInstanceOf(KubeApiError);
  // 422 Invalid for schema and CEL failures; 400 BadRequest for strict decoding (unknown fields)
  expect([400, 422]).toContain(err?.statusCode);
  expect(err?.status.message).toMatch(message);
}

describe('admission (CRD schema and CEL rules)', () => {
  it('rejects each CEL rule with its message', async () => {
    await rejects(
      { lakeWriter: { minReplicas: 5, maxReplicas: 2 } },
      /minReplicas must be less than or equal to maxReplicas/,
    );
    await rejects(
      { kafka: { strimzi: { cluster: 'e', minBrokers: 6, maxBrokers: 3 } } },
      /minBrokers must be less than or equal to maxBrokers/,
    );
    await rejects({ kafka: { mode: 'strimzi' } }, /spec.kafka.strimzi is required when mode is strimzi/);
    await rejects({ kafka: { mode: 'external' } }, /spec.kafka.external is required when mode is external/);
    await rejects({ schedule: { load: 'every hour' } }, /must be a cron schedule with 5 fields/);
    await rejects({ warehouse: { type: 'postgres' } }, /warehouse.credentialsSecret is required/);
    await rejects({ insights: { enabled: true } }, /insights.enabled needs a warehouse/);
    await rejects(
      { lakeWriter: { autoscaler: 'keda', minReplicas: 0 } },
      /minReplicas must be at least 1 when an autoscaler is set/,
    );
    await rejects(
      { kafka: { strimzi: { cluster: 'e', listener: { authentication: 'tls' } } } },
      /authentication tls \(mutual TLS\) needs a TLS listener/,
    );
    for (const listener of [{ authentication: 'scram-sha-512' }, { tls: true }])
      await rejects(
        { kafka: { strimzi: { cluster: 'e', namespace: 'kafka', listener } } },
        /namespace cannot be set with listener.tls or listener.authentication/,
      );
    await rejects(
      { kafka: { strimzi: { cluster: 'e', listener: { port: 9091 } } } },
      /should be greater than or equal to 9092/,
    );
  });

  it('rejects wrong types, bad enums and (strict) unknown fields', async () => {
    await rejects(
      { audience: { users: 'many' } },
      /spec.audience.users: Invalid value: "string": spec.audience.users in body must be of type integer/,
    );
    await rejects({ lakeWriter: { autoscaler: 'magic' } }, /Unsupported value: "magic"/);
    await rejects({ bogus: true }, /unknown field "spec.bogus"/, { fieldValidation: 'Strict' });
    await rejects(
      { lake: { endpoint: 'ftp://x', bucket: 'ok-bucket', credentialsSecret: 's' } },
      /spec.lake.endpoint/,
    );
  });

  it('rejects names and values Kubernetes would refuse in a child, at admission', async () => {
    const long = 'p'.repeat(43);
    const err = await createError(pipeline({}, long));
    expect(err?.status.message).toMatch(/metadata.name must be at most 42 characters: the transform CronJob/);
    expect(await createError(pipeline({}, 'p'.repeat(42)))).toBeNull();
    for (const load of [
      '60 * * * *',
      '0 24 * * *',
      '0 0 0 * *',
      '0 0 * 13 *',
      '0 0 * * 7',
      '*/0 * * * *',
      '0 0 L * *',
    ])
      await rejects({ schedule: { load } }, /must be a cron schedule with 5 fields in range/);
    await rejects(
      { kafka: { strimzi: { cluster: 'events' }, topic: { name: 'listening events' } } },
      /spec.kafka.topic.name/,
    );
    await rejects(
      { kafka: { strimzi: { cluster: 'events' }, topic: { name: '..' } } },
      /a Kafka topic cannot be named . or ../,
    );
    // <name>.catalog.artists must fit Kafka's 249 characters.
    await rejects(
      { kafka: { strimzi: { cluster: 'events' }, topic: { name: 't'.repeat(234) } } },
      /spec.kafka.topic.name: Invalid value: .*must be at most 233 characters: the catalog topic <name>.catalog.artists must fit Kafka's 249/,
    );
    expect(
      await createError(
        pipeline({ kafka: { strimzi: { cluster: 'events' }, topic: { name: 't'.repeat(233) } } }, 'longest'),
      ),
    ).toBeNull();
    await rejects({ kafka: { strimzi: { cluster: 'Events_1' } } }, /spec.kafka.strimzi.cluster/);
    await rejects(
      { kafka: { mode: 'external', external: { bootstrapServers: 'not a server list' } } },
      /bootstrapServers/,
    );
  });

  it('rejects an endpoint that is not a plain http(s) URL, and credentials in it', async () => {
    const lake = (endpoint: string) => ({ lake: { endpoint, bucket: 'lake', credentialsSecret: 's' } });
    for (const endpoint of [
      'http://',
      'http://minio:9000/lake',
      'http://user:secret@minio:9000',
      'http://minio:9000?x=1',
    ])
      await rejects(lake(endpoint), /must be an http\(s\) URL of scheme, host and port only/);
    expect(await createError(pipeline(lake('https://s3.eu-west-1.amazonaws.com'), 'aws'))).toBeNull();
  });

  it('bounds every number the planner multiplies, so no plan overflows', async () => {
    await rejects({ audience: { users: 100_000_000_000 } }, /spec.audience.users/);
    await rejects({ sources: [{ type: 'simulator', eventsPerSecond: 10_000_000 }] }, /eventsPerSecond/);
    await rejects({ kafka: { strimzi: { cluster: 'events', maxBrokers: 1000 } } }, /maxBrokers/);
    await rejects(
      { kafka: { strimzi: { cluster: 'events' }, topic: { retentionHours: 10_000_000 } } },
      /retentionHours/,
    );
    await rejects({ lakeWriter: { maxReplicas: 100_000 } }, /maxReplicas/);
  });

  it('rejects the empty, the huge and the deeply nested with a message, and keeps serving', async () => {
    const empty = await createError({
      apiVersion: API,
      kind: 'SpotifyPipeline',
      metadata: { name: 'empty', namespace: NS },
      spec: {},
    });
    expect(empty?.status.message).toMatch(/spec.audience: Required value/);
    expect(empty?.status.message).toMatch(/spec.lake: Required value/);
    await rejects(
      { lake: { endpoint: 'http://s3.lake:9000', bucket: '', credentialsSecret: 'lake-creds' } },
      /spec.lake.bucket/,
    );
    await rejects({ sources: [{}] }, /spec.sources\[0\].type: Required value/);
    await rejects(
      { kafka: { strimzi: { cluster: 'events' }, topic: { name: '' } } },
      /spec.kafka.topic.name/,
    );

    await rejects(
      { sources: Array.from({ length: 101 }, () => ({ type: 'simulator' })) },
      /spec.sources: Too many/,
    );
    const listeners = Array.from({ length: 501 }, (_, i) => ({ userId: `u${i}` }));
    await rejects(
      {
        sources: [
          { type: 'spotify_api', credentialsSecret: 'app', spotifyApi: { tokenSecret: 't', listeners } },
        ],
      },
      /listeners: Too many/,
    );
    await rejects(
      { lakeWriter: { resources: { memory: `${'9'.repeat(40)}Gi` } } },
      /spec.lakeWriter.resources.memory: Too long/,
    );
    // 4 MiB in one request: refused before it is decoded
    const huge = await createError(pipeline({ region: 'x'.repeat(4 * 2 ** 20) }));
    expect(huge?.statusCode).toBe(413);

    let nested: unknown = 'deep';
    for (let i = 0; i < 200; i++) nested = { inner: nested };
    await rejects(
      { lake: { endpoint: 'http://s3.lake:9000', bucket: 'lake', credentialsSecret: 's', extra: nested } },
      /unknown field "spec.lake.extra"/,
      {
        fieldValidation: 'Strict',
      },
    );
    expect(await createError(pipeline({}, 'still-serving'))).toBeNull();
  });

  it('accepts a valid pipeline', async () => {
    expect(await createError(pipeline({}, 'valid'), { fieldValidation: 'Strict' })).toBeNull();
    const withInsights = pipeline(
      {
        warehouse: { type: 'postgres', credentialsSecret: 'pg-creds', database: 'spotify' },
        insights: { enabled: true, replicas: 2, credentialsSecret: 'insights-ro' },
      },
      'with-insights',
    );
    expect(await createError(withInsights, { fieldValidation: 'Strict' })).toBeNull();
    for (const [i, listener] of [
      { port: 9094, authentication: 'scram-sha-512' },
      { port: 9093, tls: true, authentication: 'tls' },
      { tls: true },
    ].entries()) {
      const authenticated = pipeline({ kafka: { strimzi: { cluster: 'events', listener } } }, `auth-${i}`);
      expect(await createError(authenticated, { fieldValidation: 'Strict' })).toBeNull();
    }
  });
});

describe('a DuckDB warehouse at admission', () => {
  const duckdb = (extra: Record<string, unknown> = {}) => ({ type: 'duckdb', ...extra });

  it('refuses what one DuckDB file on one ReadWriteOnce volume cannot do, saying why', async () => {
    await rejects(
      { warehouse: duckdb(), insights: { enabled: true, replicas: 2 } },
      /insights.replicas must be 1 with a duckdb warehouse: the DuckDB volume is ReadWriteOnce/,
    );
    await rejects(
      { warehouse: duckdb(), insights: { enabled: true, credentialsSecret: 'read-only' } },
      /insights.credentialsSecret is for postgres and snowflake/,
    );
    await rejects(
      { warehouse: { type: 'postgres', credentialsSecret: 'pg', duckdb: { storage: '5Gi' } } },
      /warehouse.duckdb is only for a duckdb warehouse/,
    );
    // Not Kubernetes quantities (K is not a suffix), a class name a StorageClass cannot have, empty ones.
    for (const storage of ['lots', '10K', '-1Gi', '', '1e3Gi', `${'9'.repeat(17)}`])
      await rejects({ warehouse: duckdb({ duckdb: { storage } }) }, /spec.warehouse.duckdb.storage/);
    for (const storageClassName of ['Fast_SSD', '', '-ssd', `${'a'.repeat(254)}`])
      await rejects(
        { warehouse: duckdb({ duckdb: { storageClassName } }) },
        /spec.warehouse.duckdb.storageClassName/,
      );
  });

  it('takes a bronze schema only as a plain name every warehouse resolves unquoted', async () => {
    for (const schema of [
      'bronze; drop schema gold',
      '"bronze"',
      'raw.lake',
      '1bronze',
      'a'.repeat(64),
      '',
      'bronze ',
    ]) {
      await rejects(
        { warehouse: { type: 'postgres', credentialsSecret: 'pg', schema } },
        /spec.warehouse.schema/,
      );
    }
    for (const schema of ['RAW_lake_2', '_x', 'a'.repeat(63)])
      expect(
        await createError(
          pipeline({ warehouse: { type: 'postgres', credentialsSecret: 'pg', schema } }, 'schema-ok'),
        ),
      ).toBeNull();
  });

  it('lets the volume grow but never shrink, and fixes its class once set', async () => {
    const name = 'duckdb-volume';
    await client.request('POST', `/apis/${API}/namespaces/${NS}/spotifypipelines`, {
      body: pipeline({ warehouse: duckdb({ duckdb: { storage: '20Gi', storageClassName: 'fast' } }) }, name),
    });
    const update = (duckdbSpec: Record<string, unknown>) =>
      client
        .request('PATCH', `/apis/${API}/namespaces/${NS}/spotifypipelines/${name}`, {
          body: { spec: { warehouse: { duckdb: duckdbSpec } } },
          contentType: 'application/merge-patch+json',
          query: { dryRun: 'All' },
        })
        .then(
          () => null,
          (e: unknown) => (e as KubeApiError).status.message,
        );
    expect(await update({ storage: '30Gi' })).toBeNull();
    expect(await update({ storage: '0.5Ti' })).toBeNull();
    expect(await update({ storage: '19Gi' })).toMatch(
      /storage may only grow: a PersistentVolumeClaim cannot shrink/,
    );
    expect(await update({ storage: '20G' })).toMatch(/storage may only grow/);
    expect(await update({ storageClassName: 'slow' })).toMatch(/storageClassName cannot change once set/);
    expect(await update({ storageClassName: null })).toMatch(/storageClassName cannot be set or unset/);
  });

  it('accepts DuckDB with the insights service, a size and a class', async () => {
    const spec = {
      warehouse: duckdb({ duckdb: { storage: '50Gi', storageClassName: 'local-path' } }),
      insights: { enabled: true },
    };
    expect(await createError(pipeline(spec, 'duckdb-ok'), { fieldValidation: 'Strict' })).toBeNull();
    expect(await createError(pipeline({ warehouse: duckdb() }, 'duckdb-defaults'))).toBeNull();
  });
});
