import { loadConfig } from '@spotify-pipeline/shared';
import {
  historyImportEnvSchema,
  loaderEnvSchema,
  SECRET_ENV_NAMES,
  simulatorEnvSchema,
  sourceTopics,
  spotifyPollerEnvSchema,
} from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import { desiredSchedule, desiredWorkloads } from './index.js';
import { loaderEnv } from './loader-env.js';
import { buildLoadCronJob } from './schedule.js';
import { sourceEnv } from './source-env.js';
import { buildSourceWorkloads, IMPORT_SETTINGS_ANNOTATION, sourceResources } from './sources.js';
import type { WorkloadEnv } from './workload-env.js';
import { buildLakeWriterDeployment } from './workloads.js';

const poller = {
  type: 'spotify_api',
  credentialsSecret: 'spotify-app',
  spotifyApi: {
    tokenSecret: 'spotify-tokens',
    listeners: [
      { userId: 'alice', country: 'GB', device: 'desktop' },
      { userId: 'bob.smith', tokenKey: 'bob' },
    ],
  },
};
const history = { type: 'history_import', historyImport: { prefix: 'imports/alice/', userId: 'alice' } };
const ctx = testContext({ sources: [{ type: 'simulator', eventsPerSecond: 2000 }, poller, history] });

/** What the pod's process sees: the plain values, and made-up values for the Secret keys it requires. */
const podEnv = (env: WorkloadEnv) => ({
  ...env.values,
  ...Object.fromEntries(
    env.secrets.filter((s) => !s.optional || s.oneOf).map((s) => [s.name, `secret-${s.key}`]),
  ),
});

type Pod = {
  restartPolicy?: string;
  containers: Array<{
    env: Array<{ name: string; value?: string }>;
    readinessProbe?: unknown;
    image: string;
  }>;
};
const podOf = (o: unknown) => ((o as { spec: unknown }).spec as { template: { spec: Pod } }).template.spec;

describe('source workloads', () => {
  it('simulator: a Deployment whose env its own schema accepts: real time at the source rate, on the pipeline topic', () => {
    const [simulator] = buildSourceWorkloads(ctx);
    expect(simulator?.object.kind).toBe('Deployment');
    expect(podOf(simulator!.object).containers[0]?.readinessProbe).toBeDefined();
    const config = loadConfig(
      simulatorEnvSchema,
      podEnv(sourceEnv(ctx, 0, ctx.pipeline.spec.sources[0]!).env),
    );
    expect(config).toMatchObject({
      SIMULATOR_MODE: 'realtime',
      SIMULATOR_RATE: 2000,
      SIMULATOR_LISTENERS: 5_000_000,
      SIMULATOR_CATALOG: true,
      SOURCE_TOPIC: 'listening-events',
      SOURCE_TOPIC_PREFIX: 'listening-events.',
      SOURCE_CREATE_TOPICS: false,
      KAFKA_CLIENT_ID: 'wrapped-source-0',
      OPS_PORT: 8080,
    });
  });

  it("simulator: publishes its catalog to the pipeline's catalog topics, its events to the events topic", () => {
    const named = testContext({
      kafka: { strimzi: { cluster: 'events' }, topic: { name: 'team-a.plays' } },
      sources: [{ type: 'simulator', eventsPerSecond: 10 }],
    });
    const config = loadConfig(
      simulatorEnvSchema,
      podEnv(sourceEnv(named, 0, named.pipeline.spec.sources[0]!).env),
    );
    expect(sourceTopics(config)).toEqual({
      events: 'team-a.plays',
      deadLetter: 'team-a.plays.dlq',
      artist: 'team-a.plays.catalog.artists',
      album: 'team-a.plays.catalog.albums',
      track: 'team-a.plays.catalog.tracks',
    });
  });

  it('simulator with groundTruth: the lake, its credentials by secretKeyRef and a per-pipeline prefix', () => {
    const source = { type: 'simulator', eventsPerSecond: 10, simulator: { groundTruth: true } } as SourceSpec;
    const { env } = sourceEnv(ctx, 0, source);
    const config = loadConfig(simulatorEnvSchema, podEnv(env));
    expect(config.SIMULATOR_GROUND_TRUTH_PREFIX).toBe('ground-truth/simulator/music/wrapped/');
    expect(config.LAKE_BUCKET).toBe(ctx.pipeline.spec.lake.bucket);
    expect(env.secrets.map((e) => e.name)).toEqual(['LAKE_ACCESS_KEY', 'LAKE_SECRET_KEY']);
    // Without it, the simulator gets nothing of the lake.
    const plain = sourceEnv(ctx, 0, { type: 'simulator', eventsPerSecond: 10 } as SourceSpec).env;
    expect(Object.keys(plain.values).filter((k) => k.startsWith('LAKE_') || k.includes('GROUND'))).toEqual(
      [],
    );
    expect(plain.secrets).toEqual([]);
  });

  it('poller: listeners and their token variables, app credentials and tokens by secretKeyRef, cursors in the lake', () => {
    const { env } = sourceEnv(ctx, 1, ctx.pipeline.spec.sources[1]!);
    const config = loadConfig(spotifyPollerEnvSchema, podEnv(env));
    expect(config.SPOTIFY_POLLER_LISTENERS).toEqual([
      { user_id: 'alice', refresh_token_env: 'SPOTIFY_REFRESH_TOKEN_0', country: 'GB', device: 'desktop' },
      { user_id: 'bob.smith', refresh_token_env: 'SPOTIFY_REFRESH_TOKEN_1', country: null, device: 'mobile' },
    ]);
    expect(config.SPOTIFY_POLLER_STATE_PREFIX).toBe('state/spotify-poller/music/wrapped/');
    expect(env.secrets).toEqual(
      expect.arrayContaining([
        { name: 'SPOTIFY_CLIENT_SECRET', secret: 'spotify-app', key: 'SPOTIFY_CLIENT_SECRET' },
        { name: 'SPOTIFY_REFRESH_TOKEN_0', secret: 'spotify-tokens', key: 'alice', optional: true },
        { name: 'SPOTIFY_REFRESH_TOKEN_1', secret: 'spotify-tokens', key: 'bob', optional: true },
      ]),
    );
    const deployment = buildSourceWorkloads(ctx)[1]!.object;
    expect(deployment.spec).toMatchObject({ strategy: { type: 'Recreate' } });
    expect(podOf(deployment).containers[0]?.image).toBe('poller:1');
  });

  it('history import: a Job over the lake prefix that fails at once on input retrying cannot fix', () => {
    const job = buildSourceWorkloads(ctx)[2]!.object;
    expect(job.kind).toBe('Job');
    expect(podOf(job).restartPolicy).toBe('Never');
    expect(job.spec).toMatchObject({
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { values: [2, 3] } }] },
    });
    const config = loadConfig(
      historyImportEnvSchema,
      podEnv(sourceEnv(ctx, 2, ctx.pipeline.spec.sources[2]!).env),
    );
    expect(config).toMatchObject({ HISTORY_IMPORT_PREFIX: 'imports/alice/', HISTORY_IMPORT_USER: 'alice' });
    expect(config.LAKE_BUCKET).toBe('spotify-lake');
  });

  it('history import: re-run (a new settings annotation) when its settings change, not when only the image does', () => {
    const settings = (c: ReturnType<typeof testContext>) =>
      buildSourceWorkloads(c)[0]!.object.metadata.annotations?.[IMPORT_SETTINGS_ANNOTATION];
    const base = testContext({ sources: [history] });
    const moved = testContext({ sources: [{ ...history, historyImport: { prefix: 'imports/bob/' } }] });
    const newImage = {
      ...base,
      images: { ...base.images, sources: { ...base.images.sources, history_import: 'import:2' } },
    };
    expect(settings(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(settings(moved)).not.toBe(settings(base));
    expect(settings(newImage)).toBe(settings(base));
  });

  it('sizes memory per kind: the simulator to its rate, the import to one export file', () => {
    expect(sourceResources({ type: 'simulator', eventsPerSecond: 2000 } as SourceSpec).limits.memory).toBe(
      '456Mi',
    );
    expect(sourceResources({ type: 'history_import' } as SourceSpec).limits.memory).toBe('1Gi');
    expect(sourceResources({ type: 'spotify_api' } as SourceSpec).limits.memory).toBe('256Mi');
  });
});

/** Every container env entry anywhere in an object (Deployment, Job, CronJob). */
function envEntries(node: unknown): Array<{ name: string; value?: string; valueFrom?: unknown }> {
  if (Array.isArray(node)) return node.flatMap(envEntries);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, child]) =>
    key === 'env' && Array.isArray(child) ? child : envEntries(child),
  );
}

describe('credentials', () => {
  it('reach no workload as a plain value: only secretKeyRef, and no ConfigMap holds settings', () => {
    const pg = testContext({
      sources: [poller, history],
      warehouse: { type: 'postgres', credentialsSecret: 'pg-creds' },
      kafka: { mode: 'external', external: { bootstrapServers: 'k:9093', credentialsSecret: 'kafka-creds' } },
    });
    const objects = [
      buildLakeWriterDeployment(pg),
      ...buildSourceWorkloads(pg).map((w) => w.object),
      buildLoadCronJob(pg)!,
    ];
    const secretNames = new Set<string>([
      ...SECRET_ENV_NAMES,
      'SPOTIFY_REFRESH_TOKEN_0',
      'SPOTIFY_CLIENT_SECRET',
    ]);
    for (const object of objects) {
      const env = envEntries(object);
      expect(env.length).toBeGreaterThan(5);
      const plain = env.filter((e) => 'value' in e).map((e) => e.name);
      expect(plain.filter((n) => secretNames.has(n))).toEqual([]);
      const fromSecrets = env.filter((e) => secretNames.has(e.name));
      expect(fromSecrets.length).toBeGreaterThan(0);
      for (const e of fromSecrets) expect(Object.keys(e).sort()).toEqual(['name', 'valueFrom']);
      expect(JSON.stringify(object)).not.toMatch(/envFrom|configMapRef/);
    }
    expect(desiredWorkloads(pg).find((c) => c.kind === 'ConfigMap')).toMatchObject({
      name: 'wrapped-config',
      object: null,
    });
  });
});

describe('desired source children', () => {
  it('one workload of its kind per source, nothing of the other kind and nothing past the list', () => {
    const children = desiredWorkloads(ctx).filter(
      (c) => c.name.startsWith('wrapped-source-') && c.kind !== 'KafkaUser',
    );
    const present = children.filter((c) => c.object).map((c) => `${c.kind} ${c.name}`);
    expect(present).toEqual([
      'Deployment wrapped-source-0',
      'Deployment wrapped-source-1',
      'Job wrapped-source-2',
    ]);
    expect(children).toHaveLength(16);
    expect(children.filter((c) => !c.object).map((c) => `${c.kind} ${c.name}`)).toContain(
      'Deployment wrapped-source-2',
    );
  });

  it('withholds a source whose own schema refuses the env built for it, naming the source and the variable', () => {
    const bad = testContext({
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'listening events' } },
      sources: [{ type: 'simulator' }],
    });
    const source = desiredWorkloads(bad).find((c) => c.name === 'wrapped-source-0' && c.object);
    expect(source?.refused).toEqual({
      workload: 'spec.sources[0] (simulator)',
      problem: expect.stringMatching(/SOURCE_TOPIC: must be a Kafka topic name/),
    });
    expect(desiredWorkloads(ctx).some((c) => c.refused)).toBe(false);
  });
});

describe('loader jobs', () => {
  it.each([
    ['postgres', { type: 'postgres', credentialsSecret: 'pg', database: 'spotify' }, 'POSTGRES_HOST'],
    ['snowflake', { type: 'snowflake', credentialsSecret: 'sf', database: 'SPOTIFY' }, 'SNOWFLAKE_ACCOUNT'],
    ['duckdb', { type: 'duckdb' }, undefined],
  ])(
    '%s: the env is accepted by the loader schema, credentials from the Secret',
    (_name, warehouse, secretKey) => {
      const c = testContext({ warehouse });
      const env = loaderEnv(c);
      const config = loadConfig(loaderEnvSchema, podEnv(env));
      expect(config.warehouse.type).toBe(warehouse.type);
      expect(config.DBT_TARGET_PATH).toBe('/tmp/dbt-target');
      if (secretKey) expect(env.secrets.map((s) => s.key)).toContain(secretKey);
      expect(desiredSchedule(c).some((child) => child.refused)).toBe(false);
    },
  );

  it('reads the database from the Secret when the resource does not name it', () => {
    const env = loaderEnv(testContext({ warehouse: { type: 'postgres', credentialsSecret: 'pg' } }));
    expect(env.secrets).toContainEqual({ name: 'POSTGRES_DB', secret: 'pg', key: 'POSTGRES_DB' });
    expect(env.values).not.toHaveProperty('POSTGRES_DB');
  });
});
