// Operator benchmark: N pipelines (default 200) from nothing to Ready against the real kube-apiserver and
// S3 server of the harness. No kubelet or Strimzi runs here, so a small "cluster simulator" plays their
// part: it marks KafkaTopics Ready and Deployments available as soon as they appear, the way those
// controllers would. Run: `npx tsx bench/operator/run.ts [--pipelines 200] [--workers 4]`.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchMachine, freePort } from '@spotify-pipeline/harness';
import type { KubeObject } from '@spotify-pipeline/operator/kube/client';
import { imagesFor, startOperator } from '@spotify-pipeline/operator/operator';
import { createNamespace, createSecret } from '@spotify-pipeline/operator/testing/kube-helpers';
import { startSilentServer } from '@spotify-pipeline/operator/testing/silent-server';
import { createLogger } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import { startBenchCluster } from './bench-cluster.js';
import { simulateCluster } from './cluster-simulator.js';

const { values } = parseArgs({
  options: { pipelines: { type: 'string', default: '200' }, workers: { type: 'string', default: '4' } },
});
const N = Number(values.pipelines);
const WORKERS = Number(values.workers);
const NS = 'bench';
const KAFKA_NS = 'kafka';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';

const { kube, s3, admin, simulator, stop } = await startBenchCluster({
  fieldManager: 'bench',
  namespace: NS,
  kafkaNamespace: KAFKA_NS,
  // One pool per round: the hung-endpoint round below starts from the same pool as the first.
  pools: ['brokers', 'brokers-hung'],
});

const durations: number[] = [];
const requestCounts: number[] = [];
const registry = new Registry();
const operator = startOperator({
  kubeconfigPath: kube.kubeconfigPath,
  logger: createLogger({ name: 'bench-operator', level: 'warn' }),
  registry,
  images: imagesFor('registry.local/sp', 'bench'),
  controller: {
    workers: WORKERS,
    notReadyRequeueMs: 2000,
    onReconciled: (_key, ms, requests) => {
      durations.push(ms);
      requestCounts.push(requests);
    },
  },
});

type Pipeline = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
};
async function countStates(namespace = NS): Promise<{ reconciled: number; ready: number }> {
  const list = await admin.list<Pipeline>({ apiVersion: API, kind: 'SpotifyPipeline', namespace });
  let reconciled = 0;
  let ready = 0;
  for (const p of list.items) {
    if (p.status?.observedGeneration === 1) reconciled++;
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready++;
  }
  return { reconciled, ready };
}

/** N pipelines `<prefix><i>` in `namespace` on `pool`, 20 at a time, each with a topic and bucket of its own. */
async function createPipelines(
  namespace: string,
  prefix: string,
  count: number,
  pool: string,
): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        admin.apply({
          apiVersion: API,
          kind: 'SpotifyPipeline',
          metadata: { name: `${prefix}${i + j}`, namespace },
          spec: {
            audience: { users: 100_000 * (1 + ((i + j) % 50)) },
            kafka: {
              // the pool's 3 brokers are enough: no scale event (no Cruise Control here) between two rounds
              strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: pool, maxBrokers: 3 },
              topic: { name: `${prefix}${i + j}-events` },
            },
            sources: [{ type: 'simulator', eventsPerSecond: 1000 }],
            lakeWriter: { autoscaler: (i + j) % 2 ? 'keda' : 'hpa' },
            lake: { endpoint: s3.endpoint, bucket: `${namespace}-${i + j}`, credentialsSecret: 'lake-creds' },
            warehouse: { type: 'duckdb' },
          },
        } as never),
      ),
    );
  }
}

/** Milliseconds from `since` until `count` pipelines of `namespace` are Ready (at most 180 s). */
async function untilReady(
  namespace: string,
  count: number,
  since: number,
  onFirstPass?: (ms: number) => void,
) {
  let firstPassSeen = false;
  let nextProgress = since + 10_000;
  for (;;) {
    const { reconciled, ready } = await countStates(namespace);
    const now = performance.now();
    if (now >= nextProgress) {
      nextProgress += 10_000;
      const seconds = (now - since) / 1000;
      process.stdout.write(
        `[bench operator] ${namespace}: ${reconciled}/${count} reconciled, ${ready}/${count} Ready after ${seconds.toFixed(0)} s (${(ready / seconds).toFixed(1)} Ready/s)\n`,
      );
    }
    if (!firstPassSeen && reconciled >= count) {
      firstPassSeen = true;
      onFirstPass?.(now - since);
    }
    if (ready >= count) return now - since;
    if (now - since > 180_000) {
      const list = await admin.list<Pipeline>({ apiVersion: API, kind: 'SpotifyPipeline', namespace });
      const why = new Map<string, number>();
      for (const p of list.items)
        for (const c of p.status?.conditions ?? [])
          if (c.status !== 'True')
            why.set(`${c.type}=${c.reason}`, (why.get(`${c.type}=${c.reason}`) ?? 0) + 1);
      process.stderr.write(
        `${namespace}: timed out: ${reconciled} reconciled, ${ready} ready; not True: ${JSON.stringify(Object.fromEntries(why))}\n`,
      );
      return now - since;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const stopSimulator = new AbortController();
const simulating = simulateCluster(
  simulator,
  { kafkaNamespace: KAFKA_NS, namespace: NS },
  stopSimulator.signal,
);
await new Promise((r) => setTimeout(r, 2000)); // informers synced
const started = performance.now();
let peakRss = process.memoryUsage().rss;
const rssSampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250);
await createPipelines(NS, 'p', N, 'brokers');
const created = performance.now();
let firstPass = 0;
const allReady = await untilReady(NS, N, started, (ms) => {
  firstPass = ms;
});
// Steady state: a resync pass over converged pipelines (what the operator does every resyncSeconds).
const steadyBefore = durations.length;
const controller = operator.controller();
for (let i = 0; i < N; i++) controller?.queue.add(`${NS}/p${i}`);
while (durations.length < steadyBefore + N) await new Promise((r) => setTimeout(r, 100));
const steadyDurations = durations.slice(steadyBefore);
const steadyRequests = requestCounts.slice(steadyBefore);
const memory = process.memoryUsage();

// One pipeline whose object store accepts connections and never answers, created first, then N-1 healthy
// ones in a namespace of their own: how long those take to be Ready, beside N without it (above).
const HUNG_NS = 'bench-hung';
await createNamespace(admin, HUNG_NS);
await createSecret(admin, HUNG_NS, 'lake-creds', {
  LAKE_ACCESS_KEY: s3.accessKey,
  LAKE_SECRET_KEY: s3.secretKey,
});
const silent = await startSilentServer();
const stopHungSimulator = new AbortController();
const hungSimulating = simulateCluster(
  simulator,
  { kafkaNamespace: KAFKA_NS, namespace: HUNG_NS },
  stopHungSimulator.signal,
);
const hungStarted = performance.now();
await admin.apply({
  apiVersion: API,
  kind: 'SpotifyPipeline',
  metadata: { name: 'hung', namespace: HUNG_NS },
  spec: {
    audience: { users: 100_000 },
    kafka: {
      strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: 'brokers-hung', maxBrokers: 3 },
      topic: { name: 'hung-events' },
    },
    lake: { endpoint: `http://127.0.0.1:${silent.port}`, bucket: 'hung', credentialsSecret: 'lake-creds' },
  },
} as never);
await createPipelines(HUNG_NS, 'q', N - 1, 'brokers-hung');
const healthyBesideHung = await untilReady(HUNG_NS, N - 1, hungStarted);
stopHungSimulator.abort();
await hungSimulating.catch(() => undefined);
await silent.stop();
clearInterval(rssSampler);
await operator.stop();

// Memory of the operator alone: the compiled operator (operator/dist, from `tsc -b`) as its own process,
// taking over the N converged pipelines (list, watch, one reconcile each).
const opsPort = await freePort();
const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../operator/dist/src/main.js')], {
  env: {
    ...process.env,
    KUBECONFIG: kube.kubeconfigPath,
    LEADER_ELECTION: 'false',
    OPS_PORT: String(opsPort),
    LOG_LEVEL: 'warn',
    WORKERS: String(WORKERS),
    WATCH_NAMESPACES: NS, // the N converged pipelines, not the hung-endpoint round's
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const reconcileCount = async () => {
  const text = await fetch(`http://127.0.0.1:${opsPort}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return text
    .split('\n')
    .filter((l) => l.startsWith('spotify_pipeline_operator_reconcile_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};
const childStarted = performance.now();
while ((await reconcileCount()) < N && performance.now() - childStarted < 120_000)
  await new Promise((r) => setTimeout(r, 250));
const childTakeover = performance.now() - childStarted;
await new Promise((r) => setTimeout(r, 2000));
const procStatus = readFileSync(`/proc/${child.pid}/status`, 'utf8');
const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(procStatus)?.[1] ?? 0);
const childRss = kib('VmRSS') / 1024;
const childPeak = kib('VmHWM') / 1024;
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
stopSimulator.abort();
await simulating.catch(() => undefined);
await stop();

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const figure = (
  name: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number | null,
) => ({
  name,
  value: round(value),
  unit,
  reference,
  reference_value: referenceValue,
  ratio: referenceValue ? round(value / referenceValue, 3) : null,
});
const result = {
  benchmark: 'operator',
  date: new Date().toISOString(),
  machine: benchMachine('the kube-apiserver, etcd and S3 server on the same 2 cores'),
  notes: `${N} pipelines, ${WORKERS} workers, in-process operator; a cluster simulator writes KafkaTopic and Deployment status as Strimzi and the deployment controller would (no kubelet here). Operator memory is measured on the compiled operator running as its own process.`,
  figures: [
    figure(`time for ${N} pipelines to be Ready from nothing`, allReady / 1000, 's', 'issue 5 aim', 60),
    figure(
      `time for ${N} pipelines to be reconciled once (status written)`,
      firstPass / 1000,
      's',
      'issue 5 aim (Ready)',
      60,
    ),
    figure(
      `time for ${N - 1} healthy pipelines to be Ready beside one whose object store never answers`,
      healthyBesideHung / 1000,
      's',
      `${N} pipelines without it, this run`,
      allReady / 1000,
    ),
    figure('time to create the pipelines (client side)', (created - started) / 1000, 's', 'none', null),
    figure(
      'reconcile latency p50 (converging)',
      pct(durations.slice(0, steadyBefore), 50),
      'ms',
      'none',
      null,
    ),
    figure(
      'reconcile latency p99 (converging)',
      pct(durations.slice(0, steadyBefore), 99),
      'ms',
      'issue 11 aim',
      250,
    ),
    figure('reconcile latency p50 (steady-state resync)', pct(steadyDurations, 50), 'ms', 'none', null),
    figure(
      'reconcile latency p99 (steady-state resync)',
      pct(steadyDurations, 99),
      'ms',
      'issue 11 aim',
      100,
    ),
    figure(
      'API requests per reconcile (mean, converging)',
      mean(requestCounts.slice(0, steadyBefore)),
      'requests',
      'none',
      null,
    ),
    figure('API requests per reconcile (mean, steady state)', mean(steadyRequests), 'requests', 'none', null),
    figure('reconciles to converge, per pipeline', steadyBefore / N, 'reconciles', 'none', null),
    figure(`operator process RSS holding ${N} pipelines`, childRss, 'MiB', 'issue 11 aim', 150),
    figure('operator process peak RSS (VmHWM)', childPeak, 'MiB', 'issue 11 aim', 150),
    figure(
      `operator process: start, list and reconcile ${N} pipelines`,
      childTakeover / 1000,
      's',
      'none',
      null,
    ),
    figure(
      'bench process peak RSS (in-process operator + tsx + load generator)',
      peakRss / 2 ** 20,
      'MiB',
      'none',
      null,
    ),
    figure('bench process JS heap used after convergence', memory.heapUsed / 2 ** 20, 'MiB', 'none', null),
  ],
};
const out = resolve(import.meta.dirname, '../results/operator.json');
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result.figures, null, 2)}\nwrote ${out}\n`);
process.exit(0);
