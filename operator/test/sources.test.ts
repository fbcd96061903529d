import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_SETTINGS_ANNOTATION } from '../src/builders/sources.js';
import { KubeApiError, type KubeClient, type KubeObject } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
  waitFor,
} from './kube-helpers.js';

// The sources as the operator deploys them, against the real API server: what admission refuses, the
// poller's Deployment and the history import's Job, a Job replaced when its settings change, a failed
// import, a source that cannot start and a refused configuration reported as conditions. (No kubelet
// here: Job status is written as the job controller would.)

const NS = 'sources';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';
type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Cond = { type: string; status: string; reason: string; message: string };

let kube: KubeInstance;
let s3: S3Instance;
let client: KubeClient;
let operator: RunningOperator;
const logger = createLogger({ name: 'sources-test', level: process.env.LOG_LEVEL ?? 'warn' });

const poller = {
  type: 'spotify_api',
  credentialsSecret: 'spotify-app',
  spotifyApi: { tokenSecret: 'spotify-tokens', listeners: [{ userId: 'alice', country: 'GB' }] },
};
const history = (prefix: string) => ({ type: 'history_import', historyImport: { prefix, userId: 'alice' } });

function pipeline(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: API,
    kind: 'SpotifyPipeline',
    metadata: { name, namespace: NS },
    spec: {
      audience: { users: 1000 },
      // Strimzi is not installed here: the topics step says so at once and the workloads go on. Each
      // pipeline has a topic of its own (a topic belongs to one pipeline).
      kafka: { strimzi: { cluster: 'events' }, topic: { name: `${name}-events` } },
      lake: { endpoint: s3.endpoint, bucket: `lake-${name}`, credentialsSecret: 'lake-creds' },
      lakeWriter: { autoscaler: 'none' },
      ...spec,
    },
  };
}
const get = (apiVersion: string, kind: string, name: string) =>
  client.getOrNull<Obj>({ apiVersion, kind, namespace: NS, name });
const workloadsReady = async (name: string) =>
  (
    ((await client.get<Obj>({ apiVersion: API, kind: 'SpotifyPipeline', namespace: NS, name })).status
      ?.conditions ?? []) as Cond[]
  ).find((c) => c.type === 'WorkloadsReady');

beforeAll(async () => {
  [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
  await createNamespace(client, NS);
  await createSecret(client, NS, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  await createSecret(client, NS, 'spotify-app', {
    SPOTIFY_CLIENT_ID: 'app',
    SPOTIFY_CLIENT_SECRET: 'made-up',
  });
  await createSecret(client, NS, 'spotify-tokens', { alice: 'made-up-token' });
  // The export files users upload, where the import Jobs of these pipelines look for them.
  for (const [bucket, prefixes] of [
    ['lake-mixed', ['imports/alice/', 'imports/alice-2/']],
    ['lake-failing', ['imports/bob/']],
  ] as const) {
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: bucket,
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await ensureBucket(store, bucket);
    for (const prefix of prefixes)
      await store.putObject(bucket, `${prefix}Streaming_History_Audio_2024_0.json`, Buffer.from('[]'), 2);
  }
  operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger,
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { workers: 2, resyncMs: 10_000, notReadyRequeueMs: 500, backoffBaseMs: 100 },
    external: { recheckMs: 0 },
  });
}, 240_000);

afterAll(async () => {
  await operator?.stop();
  client?.close();
  await Promise.all([kube?.stop(), s3?.destroy()]);
});

describe('admission of sources', () => {
  const rejects = async (source: Record<string, unknown>, message: RegExp) => {
    const err = await client.apply(pipeline('refused', { sources: [source] }) as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, JSON.stringify(source)).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status.message).toMatch(message);
  };

  it('refuses source combinations that cannot work, with a message that says why', async () => {
    await rejects({ type: 'spotify_api' }, /spotify_api source needs spotifyApi/);
    await rejects(
      { ...poller, credentialsSecret: undefined },
      /spotify_api source needs spotifyApi .* and credentialsSecret/,
    );
    await rejects({ ...poller, replicas: 2 }, /at most 1 replica/);
    await rejects({ type: 'history_import' }, /history_import source needs historyImport.prefix/);
    await rejects(
      { type: 'simulator', historyImport: { prefix: 'imports/' } },
      /historyImport is only for a history_import/,
    );
    await rejects(
      { type: 'simulator', spotifyApi: poller.spotifyApi },
      /spotifyApi is only for a spotify_api/,
    );
    await rejects(
      { ...poller, spotifyApi: { tokenSecret: 't', listeners: [{ userId: 'a', country: 'uk' }] } },
      /country/,
    );
    await rejects(history('imports/\\x00'), /prefix/);
  });
});

describe('sources as the operator deploys them', () => {
  it('the poller as a Deployment reading its Secrets by key; the import as a Job, replaced when its settings change', async () => {
    await client.apply(pipeline('mixed', { sources: [poller, history('imports/alice/')] }) as never);
    const deployment = await waitFor('poller Deployment', () =>
      get('apps/v1', 'Deployment', 'mixed-source-0'),
    );
    const env = (deployment.spec as { template: { spec: { containers: Array<{ env: unknown[] }> } } })
      .template.spec.containers[0]?.env;
    expect(env).toContainEqual({
      name: 'SPOTIFY_POLLER_LISTENERS',
      value: '[{"user_id":"alice","refresh_token_env":"SPOTIFY_REFRESH_TOKEN_0","country":"GB"}]',
    });
    expect(env).toContainEqual({
      name: 'SPOTIFY_REFRESH_TOKEN_0',
      valueFrom: { secretKeyRef: { name: 'spotify-tokens', key: 'alice', optional: true } },
    });
    const job = await waitFor('import Job', () => get('batch/v1', 'Job', 'mixed-source-1'));
    const settings = job.metadata?.annotations?.[IMPORT_SETTINGS_ANNOTATION];
    expect(JSON.stringify(job.spec?.template)).toContain(
      '{"name":"HISTORY_IMPORT_PREFIX","value":"imports/alice/"}',
    );
    expect(await get('v1', 'ConfigMap', 'mixed-config')).toBeNull();

    await client.apply(pipeline('mixed', { sources: [poller, history('imports/alice-2/')] }) as never);
    const replaced = await waitFor('the Job with the new settings', async () => {
      const j = await get('batch/v1', 'Job', 'mixed-source-1');
      return j && j.metadata?.annotations?.[IMPORT_SETTINGS_ANNOTATION] !== settings ? j : null;
    });
    expect(replaced.metadata?.uid).not.toBe(job.metadata?.uid);
    expect(JSON.stringify(replaced.spec?.template)).toContain('imports/alice-2/');

    // Turning the import into a simulator leaves no Job behind.
    await client.apply(pipeline('mixed', { sources: [poller, { type: 'simulator' }] }) as never);
    await waitFor('the Job gone', async () =>
      (await get('batch/v1', 'Job', 'mixed-source-1')) ? null : true,
    );
    expect(await get('apps/v1', 'Deployment', 'mixed-source-1')).not.toBeNull();
  });

  it('a source that cannot start is withheld with the reason, and starts once the cluster has what it needs', async () => {
    const noApp = { ...poller, credentialsSecret: 'spotify-app-later' };
    await client.apply(pipeline('waiting', { sources: [noApp, history('imports/nobody/')] }) as never);
    const condition = await waitFor('SourceNotReady', async () => {
      const c = await workloadsReady('waiting');
      return c?.reason === 'SourceNotReady' ? c : null;
    });
    expect(condition.message).toContain(
      'spec.sources[0] (spotify_api): Secret spotify-app-later does not exist: create it with the keys SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET',
    );
    expect(condition.message).toContain(
      'spec.sources[1] (history_import): no Streaming_History_Audio_*.json objects under imports/nobody/ in the lake bucket',
    );
    expect(await get('apps/v1', 'Deployment', 'waiting-source-0')).toBeNull();
    expect(await get('batch/v1', 'Job', 'waiting-source-1')).toBeNull();

    await createSecret(client, NS, 'spotify-app-later', {
      SPOTIFY_CLIENT_ID: 'app',
      SPOTIFY_CLIENT_SECRET: 'x',
    });
    await waitFor('the poller Deployment once its Secret exists', () =>
      get('apps/v1', 'Deployment', 'waiting-source-0'),
    );
  });

  it('a failed import is a False condition that says what to do', async () => {
    await client.apply(pipeline('failing', { sources: [history('imports/bob/')] }) as never);
    await waitFor('import Job', () => get('batch/v1', 'Job', 'failing-source-0'));
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const failure = {
      status: 'True',
      reason: 'PodFailurePolicy',
      message: 'exit code 3',
      lastTransitionTime: now,
    };
    await client.request('PATCH', `/apis/batch/v1/namespaces/${NS}/jobs/failing-source-0/status`, {
      body: {
        status: {
          startTime: now,
          failed: 1,
          conditions: [
            { type: 'FailureTarget', ...failure },
            { type: 'Failed', ...failure },
          ],
        },
      },
      contentType: 'application/merge-patch+json',
    });
    const condition = await waitFor('ImportFailed', async () => {
      const c = await workloadsReady('failing');
      return c?.reason === 'ImportFailed' ? c : null;
    });
    expect(condition).toMatchObject({ status: 'False' });
    expect(condition.message).toMatch(
      /Job failing-source-0 failed \(PodFailurePolicy: exit code 3\).*delete the Job/,
    );
  });

  it('a configuration a workload would refuse is reported, and nothing is shipped', async () => {
    // The resource takes any byte quantity; the lake writer builds each object in memory, 256 MiB at most.
    await client.apply(
      pipeline('refused', {
        lakeWriter: { autoscaler: 'none', batch: { maxBytes: '1Ti' } },
        sources: [{ type: 'simulator' }],
      }) as never,
    );
    const condition = await waitFor('InvalidWorkloadConfig', async () => {
      const c = await workloadsReady('refused');
      return c?.reason === 'InvalidWorkloadConfig' ? c : null;
    });
    expect(condition.message).toMatch(
      /the lake writer: LAKE_WRITER_BATCH_MAX_BYTES \(spec.lakeWriter.batch.maxBytes\): must be at most 268435456/,
    );
    expect(await get('apps/v1', 'Deployment', 'refused-lake-writer')).toBeNull();
    expect(await get('apps/v1', 'Deployment', 'refused-source-0')).not.toBeNull();
  });
});
