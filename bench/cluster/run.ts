/**
 * The pipeline on a single-node cluster: cluster start (first and second in this process), image build time
 * and size per image, time from `kubectl apply` to Ready, to the first event in the lake and to the first
 * events in gold, and the lake writer's events/s in a pod beside the same writer as a process draining an
 * identical backlog from the same Kafka into the same S3 server. Writes bench/results/cluster.json.
 * Run: npm run bench -- cluster   (BENCH_EVENTS overrides the backlog size)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchMachine,
  type Cluster,
  createTopicWithDlq,
  groupLag,
  type KafkaInstance,
  repoRoot,
  startCluster,
  startPostgres,
  waitUntil,
} from '@spotify-pipeline/harness';
import {
  httpStatus,
  produceEvents,
  spawnWriter,
  testKafka,
} from '@spotify-pipeline/lake-writer/testing/support';
import { pipelineManifests } from '../../scripts/kubernetes/manifests.js';
import { startPipelineInPods } from '../../scripts/kubernetes/pipeline-in-pods.js';
import { goldCountsFromPostgres } from '../../scripts/local/reconcile.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const PARTITIONS = 6;
const log = (line: string) =>
  console.log(`[bench cluster ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Figure {
  name: string;
  value: number;
  unit: string;
  reference?: string;
  reference_value?: number;
  ratio?: number;
}
const figures: Figure[] = [];
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

async function timedClusterStart(): Promise<{ cluster: Cluster; ms: number }> {
  const started = Date.now();
  const cluster = await startCluster({ log });
  return { cluster, ms: Date.now() - started };
}

/** CPU seconds the process behind a /metrics URL has used (prom-client's default metrics). */
async function cpuSeconds(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
  if (!line) throw new Error(`${metricsUrl} has no process_cpu_seconds_total`);
  return Number(line.split(' ').pop());
}

/**
 * Events/s of one lake writer draining `EVENTS` already in `topic`, from ready to zero lag, and the CPU cores it
 * used meanwhile (its CPU seconds over the wall time).
 */
async function drain(o: {
  kafka: KafkaInstance;
  groupId: string;
  topic: string;
  ready: () => Promise<boolean>;
  metricsUrl: () => Promise<string>;
}): Promise<{ rate: number; cores: number }> {
  await waitUntil('the lake writer to be ready', o.ready, { timeoutMs: 300_000, intervalMs: 200 });
  const metrics = await o.metricsUrl();
  const cpuBefore = await cpuSeconds(metrics);
  const started = Date.now();
  await waitUntil(
    `the lake writer to drain ${EVENTS} events`,
    async () => (await groupLag(testKafka(o.kafka), o.groupId, o.topic)) === 0,
    { timeoutMs: 900_000, intervalMs: 250 },
  );
  const wall = (Date.now() - started) / 1000;
  return { rate: EVENTS / wall, cores: ((await cpuSeconds(metrics)) - cpuBefore) / wall };
}

async function main(): Promise<void> {
  log('cluster start, the first in this process ...');
  const first = await timedClusterStart();
  await first.cluster.stop();
  log('cluster start, the second ...');
  const { cluster, ms: secondMs } = await timedClusterStart();
  figures.push(
    {
      name: 'cluster start, first in the process (to a pod reaching DNS, the API server, Kafka, S3)',
      value: seconds(first.ms),
      unit: 's',
    },
    {
      name: 'cluster start, second in the process',
      value: seconds(secondMs),
      unit: 's',
      reference: 'first start',
      reference_value: seconds(first.ms),
      ratio: Number((secondMs / first.ms).toFixed(3)),
    },
  );
  try {
    const postgres = await startPostgres({ host: cluster.addresses.hostAddress });
    const pipeline = await startPipelineInPods({ cluster, postgres, log, eventsPerSecond: 100 });
    for (const image of pipeline.images) {
      figures.push(
        {
          name: `image ${image.name}: build (buildah, layer cache as left by earlier runs)`,
          value: Number(image.buildSeconds.toFixed(1)),
          unit: 's',
        },
        { name: `image ${image.name}: size on the node`, value: mib(image.sizeBytes), unit: 'MiB' },
        { name: `image ${image.name}: pulled (zstd layers)`, value: mib(image.pullBytes), unit: 'MiB' },
      );
    }
    await pipeline.waitUntilReady();
    const ready = Date.now();
    const firstInLake = await pipeline.waitForFirstLakeObject();
    await waitUntil(
      'the first events in gold',
      async () => [...(await goldCountsFromPostgres(postgres.connectionString)).values()].some((n) => n > 0),
      { timeoutMs: 600_000, intervalMs: 2000 },
    );
    const inGold = Date.now();
    figures.push(
      {
        name: 'kubectl apply to SpotifyPipeline Ready',
        value: seconds(ready - pipeline.appliedAt),
        unit: 's',
      },
      {
        name: 'kubectl apply to the first event in the lake',
        value: seconds(firstInLake - pipeline.appliedAt),
        unit: 's',
      },
      {
        name: 'kubectl apply to the first events in gold (transform CronJob every 2 minutes)',
        value: seconds(inGold - pipeline.appliedAt),
        unit: 's',
      },
    );
    // The first pipeline makes room (CPU requests) for the throughput one.
    await pipeline.kubectl(['delete', 'spl', pipeline.name, '-n', pipeline.namespace, '--wait=true']);

    const kafka = testKafka(cluster.kafka);
    log(`throughput: ${EVENTS.toLocaleString('en-US')} events into two identical topics ...`);
    for (const topic of ['pods-events', 'process-events']) {
      await createTopicWithDlq(kafka, topic, PARTITIONS);
      await produceEvents(kafka, topic, EVENTS);
    }
    log('throughput: one lake writer in a pod (1 CPU: request = limit) ...');
    const spec = pipelineManifests({
      ...pipeline.settings,
      name: 'throughput',
      lake: { ...pipeline.settings.lake, bucket: 'throughput-lake' },
      partitions: PARTITIONS,
      lakeWriters: 1,
    });
    const resource = spec.at(-1) as { spec: Record<string, Record<string, unknown>> };
    resource.spec.sources = [] as never;
    resource.spec.kafka!.topic = { name: 'pods-events', partitions: PARTITIONS, replicas: 1 };
    resource.spec.lakeWriter!.resources = { cpu: '1', memory: '1Gi' };
    const pod = await (async () => {
      await pipeline.kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: spec }),
      );
      return drain({
        kafka: cluster.kafka,
        groupId: `${pipeline.namespace}.throughput.lake-writer`,
        topic: 'pods-events',
        ready: async () =>
          (
            await pipeline.kubectl([
              'get',
              'deployment',
              'throughput-lake-writer',
              '-n',
              pipeline.namespace,
              '-o',
              'jsonpath={.status.readyReplicas}',
            ])
          ).trim() === '1',
        // The host routes the pod network: the pod's metrics port is reachable from here.
        metricsUrl: async () =>
          `http://${(
            await pipeline.kubectl([
              'get',
              'pods',
              '-n',
              pipeline.namespace,
              '-l',
              'app.kubernetes.io/instance=throughput,app.kubernetes.io/component=lake-writer',
              '-o',
              'jsonpath={.items[0].status.podIP}',
            ])
          ).trim()}:8080/metrics`,
      });
    })();
    log('throughput: the same lake writer as a process on the host (npm start runs it this way) ...');
    const writer = await spawnWriter({
      kafka: cluster.kafka,
      s3: cluster.s3,
      bucket: 'throughput-lake',
      topic: 'process-events',
      groupId: 'process-writer',
      env: {
        LAKE_WRITER_BATCH_MAX_EVENTS: '50000',
        LAKE_WRITER_BATCH_MAX_BYTES: String(64 * 2 ** 20),
        LAKE_WRITER_BATCH_MAX_AGE_MS: '5000',
      },
    });
    const processed = await drain({
      kafka: cluster.kafka,
      groupId: 'process-writer',
      topic: 'process-events',
      ready: async () => (await httpStatus(writer.opsPort, '/readyz').catch(() => 0)) === 200,
      metricsUrl: async () => `http://127.0.0.1:${writer.opsPort}/metrics`,
    });
    await writer.terminate();
    figures.push(
      {
        name: `lake writer in a pod (1 CPU), Kafka to lake, ${EVENTS.toLocaleString('en-US')} events backlog`,
        value: Math.round(pod.rate),
        unit: 'events/s',
        reference: 'the same writer as a process on the host, same backlog, Kafka and S3 server',
        reference_value: Math.round(processed.rate),
        ratio: Number((pod.rate / processed.rate).toFixed(3)),
      },
      {
        name: 'CPU cores the lake writer in the pod used while draining (its limit: 1)',
        value: Number(pod.cores.toFixed(2)),
        unit: 'cores',
        reference: 'cores the process used (no limit)',
        reference_value: Number(processed.cores.toFixed(2)),
        ratio: Number((pod.cores / processed.cores).toFixed(3)),
      },
    );
    await postgres.destroy();
  } finally {
    await cluster.stop();
  }

  const result = {
    benchmark: 'cluster',
    date: new Date().toISOString(),
    machine: benchMachine('the cluster, Kafka, the S3 server and PostgreSQL on the same machine'),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/cluster.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const f of figures)
    log(`${f.name}: ${f.value} ${f.unit}${f.ratio === undefined ? '' : ` (x${f.ratio} of ${f.reference})`}`);
}

main().catch((err: unknown) => {
  console.error(`[bench cluster] failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
