// A pipeline with `autoscaler: keda` on the test cluster, under a burst of events: what the KEDA test asserts
// and the autoscaling benchmark measures. The operator runs in this process (admin kubeconfig), the lake
// writers in pods (image built into the cluster's registry), KEDA in pods (installKeda), Kafka and the S3
// server on the cluster's host address.
import {
  buildImages,
  type Cluster,
  installKeda,
  installMetricsServer,
  type KedaInstallation,
  startCluster,
  waitUntil,
} from '@spotify-pipeline/harness';
import {
  missingFrom,
  produceEvents,
  readLake,
  testKafka,
  testStore,
} from '@spotify-pipeline/lake-writer/testing/support';
import { names } from '@spotify-pipeline/operator/builders/context';
import { imagesFor, type RunningOperator, startOperator } from '@spotify-pipeline/operator/operator';
import { createLogger } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import { lakeWriterDiagnosis, writerRestarts } from './burst-diagnostics.js';

export const PARTITIONS = 4;
const NS = 'keda-burst';
const NAME = 'burst';
const TOPIC = 'listening-events';
const BUCKET = 'keda-burst-lake';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';

export interface Sample {
  /** ms since the burst started. */
  t: number;
  /** The Deployment's spec.replicas (what the autoscaler asked for) and its ready pods. */
  replicas: number;
  ready: number;
  lag: number;
  /** Offsets the lake writers' group has committed, summed over partitions. */
  committed: number;
  produced: number;
}

export interface BurstEnvironment {
  cluster: Cluster;
  keda: KedaInstallation;
  operator: RunningOperator;
  consumerGroup: string;
  lakeWriter: string;
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBurstEnvironment(log: (line: string) => void): Promise<BurstEnvironment> {
  const cluster = await startCluster({ log, kafka: { partitions: PARTITIONS } });
  try {
    const kubectl = (args: string[], input?: string) =>
      cluster.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
    const [keda, [image]] = await Promise.all([
      installKeda(cluster, { log }),
      buildImages({ registry: cluster.registry, names: ['lake-writer'], log }),
    ]);
    if (!image) throw new Error('the lake-writer image was not built');
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(await pipelineCrd()));
    await waitUntil(
      'the SpotifyPipeline CRD to be served',
      async () => (await kubectl(['get', 'spl', '-A', '-o', 'name']).then(() => true)) === true,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const operator = startOperator({
      kubeconfigPath: cluster.kubeconfigPath,
      logger: createLogger({ name: 'operator', level: 'warn' }),
      registry: new Registry(),
      images: { ...imagesFor('registry.invalid/unused', 'v0'), lakeWriter: image.reference },
      controller: { workers: 2, resyncMs: 30_000, notReadyRequeueMs: 2000, backoffBaseMs: 500 },
    });
    const pipelineRef = { metadata: { name: NAME, namespace: NS } } as never;
    return {
      cluster,
      keda,
      operator,
      consumerGroup: names.consumerGroup(pipelineRef),
      lakeWriter: names.lakeWriter(pipelineRef),
      kubectl,
      stop: async () => {
        await operator.stop();
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

async function pipelineCrd(): Promise<unknown> {
  const { buildCrd } = await import('@spotify-pipeline/operator/crd/spotify-pipeline');
  return buildCrd();
}

export type Autoscaler = 'keda' | 'hpa';

/** The namespace, lake Secret and the SpotifyPipeline (external Kafka: the cluster's broker). */
export async function applyPipeline(
  env: BurstEnvironment,
  o: { lagThreshold: number; autoscaler: Autoscaler; cpu?: string },
): Promise<void> {
  const { cluster } = env;
  const secret = (k: string) => Buffer.from(k).toString('base64');
  await env.kubectl(
    ['apply', '--server-side', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'lake-creds', namespace: NS },
          data: {
            LAKE_ACCESS_KEY: secret(cluster.s3.accessKey),
            LAKE_SECRET_KEY: secret(cluster.s3.secretKey),
          },
        },
        {
          apiVersion: API,
          kind: 'SpotifyPipeline',
          metadata: { name: NAME, namespace: NS },
          spec: {
            audience: { users: 1000 },
            kafka: {
              mode: 'external',
              external: { bootstrapServers: cluster.kafka.bootstrap },
              topic: { name: TOPIC, partitions: PARTITIONS, replicas: 1 },
            },
            lakeWriter: {
              autoscaler: o.autoscaler,
              minReplicas: 1,
              maxReplicas: PARTITIONS,
              lagThreshold: o.lagThreshold,
              scaleDownStabilizationSeconds: 30,
              batch: { maxAgeSeconds: 5 },
              resources: { cpu: o.cpu ?? '100m', memory: '256Mi' },
            },
            lake: {
              endpoint: cluster.s3.endpoint,
              region: cluster.s3.region,
              bucket: BUCKET,
              credentialsSecret: 'lake-creds',
            },
          },
        },
      ],
    }),
  );
}

export async function deploymentReplicas(
  env: BurstEnvironment,
): Promise<{ replicas: number; ready: number }> {
  const out = await env.kubectl([
    'get',
    'deployment',
    '-n',
    NS,
    env.lakeWriter,
    '-o',
    'jsonpath={.spec.replicas} {.status.readyReplicas}',
  ]);
  const [replicas, ready] = out.trim().split(' ');
  return { replicas: Number(replicas ?? 0), ready: Number(ready || 0) };
}

async function pipelineStatus(env: BurstEnvironment): Promise<Record<string, unknown>> {
  const out = await env.kubectl(['get', 'spl', '-n', NS, NAME, '-o', 'jsonpath={.status}']);
  return out ? (JSON.parse(out) as Record<string, unknown>) : {};
}

/**
 * Waits until the pipeline is Ready with one lake writer up and its autoscaler active: KEDA's ScaledObject
 * Ready, or the operator's HPA able to compute a scale (metrics served).
 */
/**
 * Reads `status.lakeWriterScaling` every 2 s until stopped, for the whole burst: the HPA reports a scale-up
 * on its next sync (up to 15 s later), and a quick burst can be back to one writer soon after.
 */
export function watchScaling(env: BurstEnvironment): { stop(): Promise<Array<Record<string, unknown>>> } {
  const seen: Array<Record<string, unknown>> = [];
  let watching = true;
  const loop = (async () => {
    while (watching) {
      const scaling = (await pipelineStatus(env).catch(() => ({}) as Record<string, unknown>))
        .lakeWriterScaling as Record<string, unknown> | undefined;
      if (scaling) seen.push(scaling);
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return {
    stop: async () => {
      watching = false;
      await loop;
      return seen;
    },
  };
}

export async function waitUntilSteady(
  env: BurstEnvironment,
  autoscaler: Autoscaler,
  timeoutMs = 300_000,
): Promise<void> {
  let last = '';
  const steady = waitUntil(
    `the pipeline Ready with one lake writer and an active ${autoscaler === 'keda' ? 'ScaledObject' : 'HPA'}`,
    async () => {
      const status = await pipelineStatus(env);
      const conditions = (status.conditions ?? []) as Array<{
        type: string;
        status: string;
        reason: string;
        message: string;
      }>;
      last = conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('\n');
      const active =
        autoscaler === 'keda' ? ['scaledobject', 'Ready'] : ['horizontalpodautoscaler', 'ScalingActive'];
      const autoscalerStatus = await env.kubectl([
        'get',
        active[0] ?? '',
        '-n',
        NS,
        env.lakeWriter,
        '-o',
        `jsonpath={.status.conditions[?(@.type=="${active[1]}")].status}`,
      ]);
      const { replicas, ready } = await deploymentReplicas(env);
      return (
        conditions.some((c) => c.type === 'Ready' && c.status === 'True') &&
        autoscalerStatus.trim() === 'True' &&
        replicas === 1 &&
        ready === 1
      );
    },
    { timeoutMs, intervalMs: 1000, logHint: () => last },
  );
  await steady.catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await diagnose(env)}`);
  });
}

export interface BurstResult {
  events: number;
  /** The event ids produced. */
  ids: string[];
  samples: Sample[];
  producedAt: number;
  /** ms from the burst's start. */
  firstAddedWriterMs?: number;
  firstReadyAddedWriterMs?: number;
  drainedMs?: number;
  backToOneMs?: number;
  maxReplicas: number;
  /** Per writer pod seen during the burst (every 5 s): the most restarts, and each way its container ended. */
  restarts: Map<string, { restarts: number; terminations: Set<string> }>;
}

/**
 * Produces `events` as fast as one producer can, sampling replicas and lag every second until the lag is
 * gone and the lake writers are back to one (or `timeoutMs`). `whileScaledUp` runs once while more than one writer
 * runs (the operator-does-not-fight check).
 */
export async function runBurst(
  env: BurstEnvironment,
  o: { events: number; timeoutMs: number; log: (line: string) => void; whileScaledUp?: () => Promise<void> },
): Promise<BurstResult> {
  const kafka = testKafka(env.cluster.kafka);
  const started = Date.now();
  let produced = 0;
  let producedAt = 0;
  const producing = produceEvents(kafka, TOPIC, o.events).then((ids) => {
    produced = ids.length;
    producedAt = Date.now() - started;
    o.log(`[burst] ${ids.length} events produced in ${(producedAt / 1000).toFixed(1)} s`);
    return ids;
  });
  const samples: Sample[] = [];
  const result: BurstResult = {
    events: o.events,
    ids: [],
    samples,
    producedAt: 0,
    maxReplicas: 1,
    restarts: new Map(),
  };
  let ranWhileScaledUp = false;
  let diagnosedAt = 0;
  while (Date.now() - started < o.timeoutMs) {
    const t = Date.now() - started;
    const [{ replicas, ready }, progress] = await Promise.all([
      deploymentReplicas(env),
      groupProgress(kafka, env.consumerGroup).catch(() => ({ committed: -1, end: -1 })),
    ]);
    const lag = progress.committed < 0 ? -1 : progress.end - progress.committed;
    samples.push({ t, replicas, ready, lag, committed: progress.committed, produced });
    result.maxReplicas = Math.max(result.maxReplicas, replicas);
    if (replicas > 1 && result.firstAddedWriterMs === undefined) {
      result.firstAddedWriterMs = t;
      o.log(
        `[burst] +${(t / 1000).toFixed(1)} s: the autoscaler asks for ${replicas} lake writers (lag ${lag})`,
      );
    }
    if (ready > 1 && result.firstReadyAddedWriterMs === undefined) result.firstReadyAddedWriterMs = t;
    if (ready > 1 && !ranWhileScaledUp && o.whileScaledUp) {
      ranWhileScaledUp = true;
      await o.whileScaledUp();
    }
    if (produced === o.events && lag === 0 && result.drainedMs === undefined) {
      result.drainedMs = t;
      o.log(`[burst] +${(t / 1000).toFixed(1)} s: lag drained with ${replicas} lake writers`);
    }
    if (result.drainedMs !== undefined && replicas === 1 && ready === 1 && result.maxReplicas > 1) {
      result.backToOneMs = t;
      o.log(`[burst] +${(t / 1000).toFixed(1)} s: back to one lake writer`);
      break;
    }
    if (samples.length % 5 === 0) await recordRestarts(env, result.restarts, o.log);
    if (samples.length % 10 === 0)
      o.log(
        `[burst] +${(t / 1000).toFixed(0)} s: ${replicas} writers asked, ${ready} ready, lag ${lag}, produced ${produced}`,
      );
    if (t - diagnosedAt >= 60_000 && stuck(samples, 60_000)) {
      diagnosedAt = t;
      o.log(`[burst] +${(t / 1000).toFixed(0)} s: no progress for 60 s\n${await diagnose(env)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (result.backToOneMs === undefined)
    o.log(`[burst] not back to one writer within ${o.timeoutMs / 1000} s\n${await diagnose(env)}`);
  result.ids = await producing;
  result.producedAt = producedAt;
  return result;
}

async function recordRestarts(
  env: BurstEnvironment,
  seen: BurstResult['restarts'],
  log: (line: string) => void,
): Promise<void> {
  const now = await writerRestarts(env.kubectl, { namespace: NS, pipeline: NAME }).catch(() => []);
  for (const pod of now) {
    const record = seen.get(pod.pod) ?? { restarts: 0, terminations: new Set<string>() };
    if (pod.restarts > record.restarts)
      log(`[burst] lake writer ${pod.pod} restarted (${pod.restarts}): ${pod.lastTermination ?? '?'}`);
    record.restarts = Math.max(record.restarts, pod.restarts);
    if (pod.lastTermination) record.terminations.add(pod.lastTermination);
    seen.set(pod.pod, record);
  }
}

/** Every way a writer's container ended during the burst, e.g. `OOMKilled exit 137`. */
export const terminationsOf = (burst: BurstResult) =>
  [...burst.restarts.values()].flatMap((r) => [...r.terminations]);

/**
 * For the whole last `ms`: a writer asked for was not ready, or the lag was there and no offset was committed.
 */
function stuck(samples: Sample[], ms: number): boolean {
  const last = samples.at(-1);
  if (!last || last.t < ms) return false;
  const window = samples.filter((s) => s.t >= last.t - ms);
  const first = window[0];
  return (
    window.every((s) => s.ready < s.replicas) ||
    (first !== undefined && window.every((s) => s.lag > 0) && last.committed === first.committed)
  );
}

/** Pods, Events, HPAs and logs of the lake writers (burst-diagnostics.ts). */
function diagnose(env: BurstEnvironment): Promise<string> {
  return lakeWriterDiagnosis(env.kubectl, { namespace: NS, pipeline: NAME, deployment: env.lakeWriter });
}

/** metrics-server in its pod: resource metrics for the HPA mode. */
export async function addMetricsServer(env: BurstEnvironment, log: (line: string) => void): Promise<void> {
  await installMetricsServer(env.cluster, { log });
}

/** Distinct events and rows in the lake's bronze objects of the topic, and which of `ids` are missing. */
export async function lakeCounts(
  env: BurstEnvironment,
  ids: string[] = [],
): Promise<{ distinct: number; rows: number; missing: number }> {
  const lake = await readLake(testStore(env.cluster.s3), BUCKET, TOPIC);
  return { distinct: lake.copies.size, rows: lake.rows, missing: missingFrom(lake, ids).length };
}

type TestKafka = ReturnType<typeof testKafka>;

/** Committed offsets of the group and the topic's end offsets, each summed over partitions. */
async function groupProgress(kafka: TestKafka, groupId: string): Promise<{ committed: number; end: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [TOPIC] }),
      admin.fetchTopicOffsets(TOPIC),
    ]);
    const sum = (committed[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    return { committed: sum, end: ends.reduce((n, e) => n + Number(e.high), 0) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * events/s the lake writers committed while the number of ready writers satisfied `writers` and they had
 * work (lag at the start of the interval). Commits come per flushed batch, so intervals are summed, not
 * averaged one by one.
 */
export function consumeRate(samples: Sample[], writers: (ready: number) => boolean): number | undefined {
  let events = 0;
  let ms = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a.committed < 0 || b.committed < 0 || a.lag <= 0 || !writers(a.ready) || !writers(b.ready)) continue;
    events += b.committed - a.committed;
    ms += b.t - a.t;
  }
  return ms > 0 ? (events / ms) * 1000 : undefined;
}

export const burstNames = { namespace: NS, name: NAME, topic: TOPIC, bucket: BUCKET };
