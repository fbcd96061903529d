import { type Cluster, startCluster, waitUntil } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineManifests } from '../scripts/kubernetes/manifests.js';
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

  // No Snowflake runs here, and its loader cannot reach fakesnow from a pod (the Node driver needs the test
  // fixture's adapter for it): what the node can show is the operator's side, a missing Secret named and then
  // Ready with it. The jobs are suspended, so nothing tries to sign in.
  it('a Snowflake pipeline says which Secret it lacks, and reaches Ready once it is there', async () => {
    const [lakeSecret, ...rest] = pipelineManifests({
      ...pipeline.settings,
      name: 'flake',
      lake: { ...pipeline.settings.lake, bucket: 'flake-lake' },
      lakeWriters: 1,
    }).slice(1);
    const resource = rest.at(-1) as { spec: Record<string, Record<string, unknown>> };
    resource.spec.sources = [] as never;
    resource.spec.kafka!.topic = { name: 'flake-events', partitions: 1, replicas: 1 };
    resource.spec.lakeWriter!.resources = { cpu: '100m', memory: '256Mi' };
    resource.spec.warehouse = {
      type: 'snowflake',
      credentialsSecret: 'snowflake-credentials',
      database: 'SPOTIFY',
    } as never;
    resource.spec.schedule = { ...resource.spec.schedule, suspend: true };
    await pipeline.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [lakeSecret, resource] }),
    );
    const condition = async (type: string) => {
      const out = await pipeline.kubectl([
        'get',
        'spl',
        'flake',
        '-n',
        pipeline.namespace,
        '-o',
        `jsonpath={.status.conditions[?(@.type=="${type}")]}`,
      ]);
      return (out ? JSON.parse(out) : null) as { status: string; reason: string; message: string } | null;
    };
    let seen = '';
    await waitUntil(
      'ScheduleReady to name the missing Secret',
      async () => {
        const c = await condition('ScheduleReady');
        seen = JSON.stringify(c);
        return c?.reason === 'SecretMissing';
      },
      { timeoutMs: 120_000, intervalMs: 1000, logHint: () => seen },
    );
    const missing = await condition('ScheduleReady');
    log(`without its Secret: ScheduleReady=${missing?.status} ${missing?.reason}: ${missing?.message}`);
    expect(missing?.status).toBe('False');
    expect(missing?.message).toMatch(/Secret snowflake-credentials \(spec\.warehouse\.credentialsSecret\)/);
    expect(missing?.message).toMatch(/SNOWFLAKE_ACCOUNT/);

    const secret = await pipeline.kubectl([
      'create',
      'secret',
      'generic',
      'snowflake-credentials',
      '-n',
      pipeline.namespace,
      '--from-literal=SNOWFLAKE_ACCOUNT=xy12345',
      '--from-literal=SNOWFLAKE_USER=LOADER',
      '--from-literal=SNOWFLAKE_WAREHOUSE=LOAD_WH',
      '--from-literal=SNOWFLAKE_PASSWORD=not-a-real-password',
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    await pipeline.kubectl(['apply', '-f', '-'], secret);
    await waitUntil(
      'the Snowflake pipeline to be Ready',
      async () => {
        const c = await condition('Ready');
        seen = JSON.stringify(await condition('ScheduleReady'));
        return c?.status === 'True';
      },
      { timeoutMs: 180_000, intervalMs: 1000, logHint: () => seen },
    );
    const scheduled = await condition('ScheduleReady');
    log(`with its Secret: ScheduleReady=${scheduled?.status} ${scheduled?.reason}: ${scheduled?.message}`);
    expect(scheduled?.message).toMatch(/\(suspended\)/);
    const claims = await pipeline.kubectl(['get', 'pvc', '-n', pipeline.namespace, '-o', 'name']);
    expect(claims.trim().split('\n')).toEqual(['persistentvolumeclaim/solo-duckdb']);
  }, 600_000);
});
