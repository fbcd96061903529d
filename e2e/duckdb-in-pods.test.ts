import { type Cluster, startCluster, waitUntil } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineInPods, startPipelineInPods } from '../scripts/kubernetes/pipeline-in-pods.js';
import { catalogCoverageLine } from '../scripts/local/catalog-coverage.js';
import { reconcile, reconciliationLines } from '../scripts/local/reconcile.js';

const log = (line: string) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The default warehouse on Kubernetes: DuckDB, one file on a ReadWriteOnce volume the operator claims. The
// test node has no provisioner, so the run puts a PersistentVolume on a folder of the node for that claim,
// as a cluster admin would; the rest is the operator's: the claim, one scheduled job that loads and builds
// on the volume, and the status that says the warehouse is single-node and single-writer.
describe('a DuckDB pipeline in pods on a single-node cluster', () => {
  let cluster: Cluster;
  let pipeline: PipelineInPods;

  beforeAll(async () => {
    cluster = await startCluster({ log });
    pipeline = await startPipelineInPods({
      cluster,
      log,
      namespace: 'duck',
      name: 'solo',
      eventsPerSecond: 50,
      users: 500,
      lakeWriters: 1,
    });
  }, 3_600_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reaches Ready on its volume, loads and builds gold there in one job, and gold equals what was published', async () => {
    await pipeline.waitUntilReady();
    log(`pipeline Ready ${((Date.now() - pipeline.appliedAt) / 1000).toFixed(0)} s after kubectl apply`);
    const status = async () =>
      JSON.parse(
        await pipeline.kubectl(['get', 'spl', pipeline.name, '-n', pipeline.namespace, '-o', 'json']),
      ) as {
        status: {
          warehouse?: { type: string; volume?: string; volumePhase?: string; topology?: string };
          conditions: Array<{ type: string; status: string; message: string }>;
        };
      };
    let seen = '';
    await waitUntil(
      'the DuckDB claim Bound in the status',
      async () => {
        const { warehouse } = (await status()).status;
        seen = JSON.stringify(warehouse);
        return warehouse?.volumePhase === 'Bound';
      },
      { timeoutMs: 120_000, intervalMs: 1000, logHint: () => seen },
    );
    const { warehouse, conditions } = (await status()).status;
    expect(warehouse).toEqual({
      type: 'duckdb',
      volume: 'solo-duckdb',
      volumePhase: 'Bound',
      topology: 'SingleNode,SingleWriter',
    });
    expect(conditions.find((c) => c.type === 'ScheduleReady')?.message).toMatch(
      /single-node .* single-writer/,
    );
    // With DuckDB, load and dbt run as one job: the file has one writer.
    const cronJobs = await pipeline.kubectl(['get', 'cronjobs', '-n', pipeline.namespace, '-o', 'name']);
    expect(cronJobs.trim().split('\n')).toEqual(['cronjob.batch/solo-transform']);

    await pipeline.waitForFirstLakeObject();
    await sleep(20_000);
    const { truth, runs } = await pipeline.stopSimulator();
    log(`simulator stopped: ${truth.events.toLocaleString('en-US')} events published in ${runs} run(s)`);
    expect(truth.events).toBeGreaterThan(0);
    await pipeline.waitForLakeDrain();
    const drained = Date.now();
    log('every event and catalog record is in the lake; waiting for a transform job that starts after that');
    const gold = await pipeline.waitForGold(drained);
    const result = reconcile(gold, truth);
    for (const line of reconciliationLines(result, truth)) log(line);
    expect(result.rows.filter((r) => r.published !== r.inGold)).toEqual([]);
    expect(result.matches).toBe(true);
    const catalog = await pipeline.catalogInGold();
    log(catalogCoverageLine(catalog));
    expect(catalog.tracks).toBeGreaterThan(0);
    expect(catalog.tracksWithCatalog).toBe(catalog.tracks);
    expect(catalog.artistsWithCatalog).toBe(catalog.artists);
    log(`\n${await pipeline.overview()}`);
  }, 3_600_000);
});
