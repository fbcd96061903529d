import {
  type Cluster,
  type PostgresInstance,
  startCluster,
  startPostgres,
  waitUntil,
} from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_NAME, RELEASE_NAMESPACE } from '../scripts/kubernetes/operator-release.js';
import { type PipelineInPods, startPipelineInPods } from '../scripts/kubernetes/pipeline-in-pods.js';
import { catalogCoverageLine } from '../scripts/local/catalog-coverage.js';
import { reconcile, reconciliationLines } from '../scripts/local/reconcile.js';

const log = (line: string) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The README's Kubernetes path on a real single-node cluster: images built here, `helm install`, a pipeline
// applied in external-Kafka mode (the harness's Kafka, S3 server and PostgreSQL on the node's host address),
// the operator deploying the simulator, the lake writers and the scheduled load and transform jobs, faults
// while events stream, and gold reconciled against what the simulator says it published.
describe('the pipeline in pods on a single-node cluster', () => {
  let cluster: Cluster;
  let postgres: PostgresInstance;
  let pipeline: PipelineInPods;

  beforeAll(async () => {
    cluster = await startCluster({ log });
    postgres = await startPostgres({ host: cluster.addresses.hostAddress });
    pipeline = await startPipelineInPods({ cluster, postgres, log, eventsPerSecond: 100, users: 2000 });
  }, 3_600_000);
  afterAll(async () => {
    await postgres?.destroy();
    await cluster?.stop();
  });

  const podsOf = async (namespace: string, selector: string) =>
    (
      await pipeline.kubectl([
        'get',
        'pods',
        '-n',
        namespace,
        '-l',
        selector,
        '--field-selector=status.phase=Running',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    )
      .split(' ')
      .filter(Boolean);
  const leader = async () =>
    (
      await pipeline.kubectl([
        'get',
        'lease',
        OPERATOR_NAME,
        '-n',
        RELEASE_NAMESPACE,
        '-o',
        'jsonpath={.spec.holderIdentity}',
      ])
    ).trim();

  it('takes every published event to gold exactly once through a lake writer killed, the leading operator killed and the kubelet restarted', async () => {
    await pipeline.waitUntilReady();
    log(`pipeline Ready ${((Date.now() - pipeline.appliedAt) / 1000).toFixed(0)} s after kubectl apply`);
    const firstInLake = await pipeline.waitForFirstLakeObject();
    log(
      `first bronze object ${((firstInLake - pipeline.appliedAt) / 1000).toFixed(0)} s after kubectl apply`,
    );

    // The first object can be the simulator's catalog, written before its first event (a CI run saw 0 here).
    await waitUntil(
      'events on the topic before the faults',
      async () => (await pipeline.eventsOnTopic()) > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 1000,
      },
    );
    const beforeFaults = await pipeline.eventsOnTopic();
    const writers = await podsOf(pipeline.namespace, 'app.kubernetes.io/component=lake-writer');
    expect(writers).toHaveLength(2);
    log(`killing lake writer ${writers[0]} (forced delete: no flush, no commit)`);
    await pipeline.kubectl([
      'delete',
      'pod',
      writers[0]!,
      '-n',
      pipeline.namespace,
      '--grace-period=0',
      '--force',
    ]);
    await sleep(10_000);

    const first = await leader();
    expect(first).not.toBe('');
    log(`killing the leading operator ${first} (forced delete: the lease is not released)`);
    await pipeline.kubectl(['delete', 'pod', first, '-n', RELEASE_NAMESPACE, '--grace-period=0', '--force']);
    await waitUntil('another operator replica to lead', async () => ![first, ''].includes(await leader()), {
      timeoutMs: 120_000,
      intervalMs: 1000,
    });
    log(`${await leader()} leads now`);

    log('restarting the kubelet');
    await cluster.restartKubelet();
    await sleep(10_000);
    await waitUntil(
      'two lake writers running again',
      async () => (await podsOf(pipeline.namespace, 'app.kubernetes.io/component=lake-writer')).length === 2,
      { timeoutMs: 180_000, intervalMs: 1000 },
    );

    const afterFaults = await pipeline.eventsOnTopic();
    log(`${beforeFaults} events on the topic before the faults, ${afterFaults} after; streaming on for 30 s`);
    await sleep(30_000);
    // However fast the simulator runs on a busy machine, it kept publishing through the faults and after them.
    expect(await pipeline.eventsOnTopic(), 'events published after the faults').toBeGreaterThan(afterFaults);
    expect(afterFaults, 'events published during the faults').toBeGreaterThan(beforeFaults);
    // The new leader scales the simulator to 0; stopped by SIGTERM, it flushes and writes its ground truth.
    const { truth, runs } = await pipeline.stopSimulator();
    log(`simulator stopped: ${truth.events.toLocaleString('en-US')} events published in ${runs} run(s)`);
    expect(runs).toBe(1);
    await pipeline.waitForLakeDrain();
    const drained = Date.now();
    log(
      'every event is in the lake; waiting for a scheduled transform job (load + dbt) that starts after that',
    );
    const gold = await pipeline.waitForGold(drained);
    const result = reconcile(gold, truth);
    for (const line of reconciliationLines(result, truth)) log(line);
    log(`\n${await pipeline.overview()}`);
    expect(result.rows.filter((r) => r.published !== r.inGold)).toEqual([]);
    expect(result.matches).toBe(true);
    // The simulator's catalog went through the operator's compacted topics, the lake writers and the loader.
    const catalog = await pipeline.catalogInGold();
    log(catalogCoverageLine(catalog));
    expect(catalog.tracks).toBeGreaterThan(0);
    expect(catalog.tracksWithCatalog).toBe(catalog.tracks);
    expect(catalog.artistsWithCatalog).toBe(catalog.artists);
    // Both CronJobs ran their jobs on schedule: load alone, and load + dbt.
    const jobs = JSON.parse(
      await pipeline.kubectl(['get', 'jobs', '-n', pipeline.namespace, '-o', 'json']),
    ) as {
      items: Array<{
        metadata: { ownerReferences?: Array<{ name: string }> };
        status: { succeeded?: number };
      }>;
    };
    for (const cronJob of [`${pipeline.name}-load`, `${pipeline.name}-transform`]) {
      const ran = jobs.items.filter(
        (j) => j.metadata.ownerReferences?.some((r) => r.name === cronJob) && (j.status.succeeded ?? 0) > 0,
      );
      expect(ran.length, `${cronJob} jobs that succeeded`).toBeGreaterThan(0);
    }
  }, 3_600_000);

  it('helm uninstall removes the operator and keeps the CRD (and with it every pipeline)', async () => {
    await pipeline.remove();
    const crd = await pipeline.kubectl([
      'get',
      'crd',
      'spotifypipelines.pipeline.spotify-pipeline.io',
      '-o',
      'name',
    ]);
    expect(crd.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/spotifypipelines.pipeline.spotify-pipeline.io',
    );
    const left = await pipeline.kubectl([
      'get',
      'deployments,replicasets,serviceaccounts,roles,rolebindings,services,poddisruptionbudgets',
      '-n',
      RELEASE_NAMESPACE,
      '-l',
      'app.kubernetes.io/instance=spotify-pipeline',
      '-o',
      'name',
    ]);
    expect(left.trim()).toBe('');
    const clusterWide = await pipeline.kubectl(['get', 'clusterroles,clusterrolebindings', '-o', 'name']);
    expect(clusterWide).not.toContain(OPERATOR_NAME);
    await waitUntil(
      "the operator's pods to be gone",
      async () =>
        (await podsOf(RELEASE_NAMESPACE, 'app.kubernetes.io/instance=spotify-pipeline')).length === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    // The pipeline's own objects went with it (owner references, garbage collection).
    await waitUntil(
      "the pipeline's workloads to be gone",
      async () =>
        (
          await pipeline.kubectl(['get', 'deployments,cronjobs', '-n', pipeline.namespace, '-o', 'name'])
        ).trim() === '',
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  }, 600_000);
});
