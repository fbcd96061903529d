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
    await rejects(
      { lakeWriter: { autoscaler: 'keda', minReplicas: 0 } },
      /minReplicas must be at least 1 when an autoscaler is set/,
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

  it('accepts a valid pipeline', async () => {
    expect(await createError(pipeline({}, 'valid'), { fieldValidation: 'Strict' })).toBeNull();
  });
});
