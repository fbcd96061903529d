import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BuiltImage,
  buildImages,
  type Cluster,
  makeWorkdir,
  type PostgresInstance,
  waitUntil,
} from '@spotify-pipeline/harness';
import { names } from '@spotify-pipeline/operator/builders/context';
import { catalogTopicNames } from '@spotify-pipeline/operator/builders/kafka-topic';
import { simulatorGroundTruthPrefix } from '@spotify-pipeline/operator/builders/source-env';
import { type GroundTruth, groundTruthSchema, TOPICS } from '@spotify-pipeline/shared';
import { type Admin, createKafka } from '@spotify-pipeline/shared/kafka';
import { catalogGroupId } from '@spotify-pipeline/shared/lake/lake-writer-env';
import { createLogger } from '@spotify-pipeline/shared/logging';
import { createObjectStore, listAllObjects, readObject } from '@spotify-pipeline/shared/object-store';
import {
  type CatalogCoverage,
  catalogCoverage,
  catalogCoverageFromPostgres,
} from '../local/catalog-coverage.js';
import { waitForDrain } from '../local/drain.js';
import {
  addTruths,
  type EventTruth,
  goldCountsFromDuckDb,
  goldCountsFromPostgres,
} from '../local/reconcile.js';
import { type PipelineSettings, pipelineManifests, type WarehouseSettings } from './manifests.js';
import { installOperator, uninstallOperator } from './operator-release.js';

/** The images a pipeline with a simulator, lake writers and the load/transform jobs runs, and the operator. */
const PIPELINE_IMAGES = ['operator', 'simulator', 'lake-writer', 'loader'];

export interface PipelineInPodsOptions {
  cluster: Cluster;
  /** The warehouse: PostgreSQL on the host, or DuckDB on a volume the run provides (see `duckdbVolume`). */
  postgres?: PostgresInstance;
  log: (line: string) => void;
  namespace?: string;
  name?: string;
  users?: number;
  eventsPerSecond?: number;
  lakeWriters?: number;
}

export interface PipelineInPods {
  readonly namespace: string;
  readonly name: string;
  readonly images: BuiltImage[];
  readonly settings: PipelineSettings;
  /** When `kubectl apply` of the pipeline returned (epoch ms). */
  readonly appliedAt: number;
  kubectl(args: string[], input?: string): Promise<string>;
  /** Resolves when the SpotifyPipeline's Ready condition is True; the error lists the conditions. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Resolves with the epoch ms at which the lake first held a bronze object. */
  waitForFirstLakeObject(timeoutMs?: number): Promise<number>;
  /** Scales the simulator to 0 and returns what its runs published (their ground truths in the lake, added). */
  stopSimulator(): Promise<{ truth: EventTruth; runs: number }>;
  /** Records on the events topic so far (its partitions' end offsets, added): grows while a source publishes. */
  eventsOnTopic(): Promise<number>;
  /** Waits until the lake writers have committed everything on the events topic and the catalog topics. */
  waitForLakeDrain(timeoutMs?: number): Promise<void>;
  /** How much of what was played gold knows from the catalog topics. */
  catalogInGold(): Promise<CatalogCoverage>;
  /** DuckDB: the node's folder behind the pipeline's volume (the warehouse file and its gold snapshot). */
  readonly duckdbDir: string | null;
  /** Waits for a transform job (load + dbt) that started after `since` to succeed; returns gold's counts. */
  waitForGold(since: number, timeoutMs?: number): Promise<Map<string, number>>;
  /** `kubectl get spl,pods,jobs` in the pipeline's namespace. */
  overview(): Promise<string>;
  /** Deletes the pipeline (its finalizer runs), then `helm uninstall`. */
  remove(): Promise<void>;
}

/**
 * The pipeline in pods: builds the images into the cluster's registry, `helm install`s the operator (two
 * replicas, leader election) and applies a SpotifyPipeline in external-Kafka mode with PostgreSQL as the
 * warehouse; the operator deploys the simulator, the lake writers and the scheduled load and transform jobs.
 */
export async function startPipelineInPods(o: PipelineInPodsOptions): Promise<PipelineInPods> {
  const { cluster, postgres, log } = o;
  const namespace = o.namespace ?? 'music';
  const name = o.name ?? 'wrapped';
  const tag = `run-${randomBytes(4).toString('hex')}`;
  const helmHome = makeWorkdir('helm-home');
  const kubectl = (args: string[], input?: string) =>
    cluster.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });

  log(`building ${PIPELINE_IMAGES.join(', ')} into the cluster's registry (tag ${tag}) ...`);
  const images = await buildImages({ registry: cluster.registry, names: PIPELINE_IMAGES, tag, log });
  log('helm install: the operator, two replicas with leader election ...');
  await installOperator({ cluster, images, helmHome: helmHome.path });

  const settings: PipelineSettings = {
    namespace,
    name,
    kafkaBootstrap: cluster.kafka.bootstrap,
    lake: {
      endpoint: cluster.s3.endpoint,
      region: cluster.s3.region,
      bucket: `${name}-lake`,
      accessKey: cluster.s3.accessKey,
      secretKey: cluster.s3.secretKey,
    },
    warehouse: postgres ? postgresWarehouse(postgres) : DUCKDB_WAREHOUSE,
    users: o.users ?? 2000,
    eventsPerSecond: o.eventsPerSecond ?? 100,
    partitions: 3,
    lakeWriters: o.lakeWriters ?? 2,
    flushSeconds: 5,
  };
  const duckdbDir = postgres ? null : join(cluster.workdir, 'volumes', `${namespace}-${name}-duckdb`);
  if (duckdbDir) {
    log(`a PersistentVolume for the DuckDB file: ${duckdbDir} on the node (the node has no provisioner)`);
    mkdirSync(duckdbDir, { recursive: true });
    // The pods run as an unprivileged user; a hostPath folder has no fsGroup ownership change.
    chmodSync(duckdbDir, 0o777);
    await kubectl(['apply', '-f', '-'], JSON.stringify(duckdbVolume(settings, duckdbDir)));
  }
  log(
    `kubectl apply: SpotifyPipeline ${namespace}/${name} (external Kafka, ${postgres ? 'PostgreSQL' : 'DuckDB'} warehouse) ...`,
  );
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pipelineManifests(settings) }),
  );
  const appliedAt = Date.now();

  const store = createObjectStore({
    LAKE_ENDPOINT: cluster.s3.endpoint,
    LAKE_BUCKET: settings.lake.bucket,
    LAKE_REGION: cluster.s3.region,
    LAKE_ACCESS_KEY: cluster.s3.accessKey,
    LAKE_SECRET_KEY: cluster.s3.secretKey,
  });
  const pipelineRef = { metadata: { namespace, name } };
  const conditions = async () => {
    const out = await kubectl(['get', 'spl', name, '-n', namespace, '-o', 'jsonpath={.status.conditions}']);
    return (out ? JSON.parse(out) : []) as Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
    }>;
  };

  const withAdmin = async <T>(use: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = createKafka(
      { KAFKA_BROKERS: [cluster.kafka.bootstrap], KAFKA_CLIENT_ID: 'pipeline-in-pods', KAFKA_SSL: false },
      createLogger({ name: 'pipeline-in-pods', level: 'fatal' }),
    ).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  };

  return {
    namespace,
    name,
    images,
    settings,
    appliedAt,
    duckdbDir,
    kubectl,
    waitUntilReady: async (timeoutMs = 300_000) => {
      let last: Awaited<ReturnType<typeof conditions>> = [];
      await waitUntil(
        `SpotifyPipeline ${namespace}/${name} to be Ready`,
        async () => {
          last = await conditions();
          return last.some((c) => c.type === 'Ready' && c.status === 'True');
        },
        {
          timeoutMs,
          intervalMs: 1000,
          logHint: () => last.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('\n'),
        },
      );
    },
    waitForFirstLakeObject: async (timeoutMs = 300_000) => {
      await waitUntil(
        'the first bronze object in the lake',
        async () => (await listAllObjects(store, settings.lake.bucket, 'bronze/')).length > 0,
        { timeoutMs, intervalMs: 500 },
      );
      return Date.now();
    },
    stopSimulator: async () => {
      const source = names.source(pipelineRef as never, 0);
      await kubectl([
        'patch',
        'spl',
        name,
        '-n',
        namespace,
        '--type=json',
        '-p',
        JSON.stringify([{ op: 'replace', path: '/spec/sources/0/replicas', value: 0 }]),
      ]);
      // A simulator stopped by SIGTERM flushes what it generated, then writes its ground truth.
      await waitUntil(
        `the simulator's pods to be gone`,
        async () =>
          (
            await kubectl([
              'get',
              'pods',
              '-n',
              namespace,
              '-l',
              `app.kubernetes.io/component=source-0,app.kubernetes.io/instance=${name}`,
              '-o',
              'name',
            ])
          ).trim() === '',
        { timeoutMs: 120_000, intervalMs: 1000, logHint: () => source },
      );
      const prefix = simulatorGroundTruthPrefix(pipelineRef);
      const objects = await listAllObjects(store, settings.lake.bucket, prefix);
      if (objects.length === 0) throw new Error(`no ground truth under ${settings.lake.bucket}/${prefix}`);
      const truths: GroundTruth[] = [];
      for (const object of objects) {
        const body = await readObject(store, settings.lake.bucket, object.name, {
          maxBytes: 64 << 20,
          timeoutMs: 30_000,
        });
        truths.push(groundTruthSchema.parse(JSON.parse(String(body))));
      }
      return { truth: addTruths(truths), runs: truths.length };
    },
    eventsOnTopic: () =>
      withAdmin(async (admin) =>
        (await admin.fetchTopicOffsets(TOPICS.listeningEvents)).reduce((sum, p) => sum + Number(p.high), 0),
      ),
    waitForLakeDrain: (timeoutMs = 600_000) =>
      withAdmin(async (admin) => {
        const groupId = names.consumerGroup(pipelineRef as never);
        await waitForDrain({ admin, groupId, topic: TOPICS.listeningEvents, timeoutMs, log });
        for (const topic of catalogTopicNames(TOPICS.listeningEvents))
          await waitForDrain({ admin, groupId: catalogGroupId(groupId, topic), topic, timeoutMs, log });
      }),
    catalogInGold: () =>
      duckdbDir
        ? catalogCoverage(join(duckdbDir, 'gold-snapshot.duckdb'))
        : catalogCoverageFromPostgres(postgres!.connectionString),
    waitForGold: async (since, timeoutMs = 600_000) => {
      const transform = names.transform(pipelineRef as never);
      let seen = '';
      await waitUntil(
        `a ${transform} job started after the lake was complete to succeed`,
        async () => {
          const jobs = JSON.parse(await kubectl(['get', 'jobs', '-n', namespace, '-o', 'json'])) as {
            items: Array<{
              metadata: { name: string; ownerReferences?: Array<{ name: string }> };
              status: { startTime?: string; succeeded?: number; failed?: number };
            }>;
          };
          const ours = jobs.items.filter((j) =>
            j.metadata.ownerReferences?.some((r) => r.name === transform),
          );
          seen = ours
            .map(
              (j) =>
                `${j.metadata.name} started ${j.status.startTime} succeeded ${j.status.succeeded ?? 0} failed ${j.status.failed ?? 0}`,
            )
            .join('\n');
          // startTime has whole seconds: only a job that surely started after `since` counts.
          const after = Math.ceil(since / 1000) * 1000;
          return ours.some(
            (j) =>
              j.status.startTime && Date.parse(j.status.startTime) >= after && (j.status.succeeded ?? 0) > 0,
          );
        },
        { timeoutMs, intervalMs: 2000, logHint: () => seen },
      );
      return duckdbDir
        ? goldCountsFromDuckDb(join(duckdbDir, 'gold-snapshot.duckdb'))
        : goldCountsFromPostgres(postgres!.connectionString);
    },
    overview: () => kubectl(['get', 'spl,pods,jobs', '-n', namespace]),
    remove: async () => {
      await kubectl(['delete', 'spl', name, '-n', namespace, '--wait=true', '--timeout=120s']);
      await uninstallOperator({ cluster, helmHome: helmHome.path });
      helmHome.remove();
    },
  };
}

const DUCKDB_WAREHOUSE: WarehouseSettings = {
  type: 'duckdb',
  storageClassName: 'e2e-hostpath',
  storage: '1Gi',
};

const postgresWarehouse = (postgres: PostgresInstance): WarehouseSettings => ({
  type: 'postgres',
  host: postgres.host,
  port: postgres.port,
  user: postgres.user,
  password: postgres.password,
  database: postgres.database,
});

/**
 * A PersistentVolume on a folder of the node, bound ahead to the claim the operator creates for the DuckDB file:
 * the test node has no provisioner, as a bare-metal or kind-like cluster without local-path may not.
 */
function duckdbVolume(settings: PipelineSettings, dir: string): object {
  if (settings.warehouse.type !== 'duckdb') throw new Error('not a DuckDB pipeline');
  const claim = names.duckdb({ metadata: { namespace: settings.namespace, name: settings.name } } as never);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `${settings.namespace}-${claim}` },
    spec: {
      capacity: { storage: settings.warehouse.storage },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: settings.warehouse.storageClassName,
      hostPath: { path: dir, type: 'Directory' },
      claimRef: { namespace: settings.namespace, name: claim },
    },
  };
}
