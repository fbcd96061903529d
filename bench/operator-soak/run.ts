// Operator soak: the compiled operator, as its own process, holding 50 pipelines for 30 minutes against the
// real kube-apiserver and S3 server; a third of them hostile (an object store and a Kafka that accept
// connections and never answer, a refused port, wrong and missing credentials, a topic another pipeline owns,
// a mistyped audience, a schedule that never runs). Every minute a few healthy pipelines are edited and must
// be observed; the operator's RSS, reconciles, readiness and warnings are sampled throughout.
// Run: `npm run bench -- operator-soak [--minutes 30] [--pipelines 50]`.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchMachine, freePort } from '@spotify-pipeline/harness';
import type { KubeObject } from '@spotify-pipeline/operator/kube/client';
import { createSecret } from '@spotify-pipeline/operator/testing/kube-helpers';
import { startSilentServer } from '@spotify-pipeline/operator/testing/silent-server';
import { startBenchCluster } from '../operator/bench-cluster.js';
import { simulateCluster } from '../operator/cluster-simulator.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '30' }, pipelines: { type: 'string', default: '50' } },
});
const MINUTES = Number(values.minutes);
const N = Number(values.pipelines);
const NS = 'soak';
const KAFKA_NS = 'kafka';
const API = 'pipeline.spotify-pipeline.io/v1alpha1';
const SAMPLE_MS = 15_000;
const EDITS_PER_MINUTE = 5;

const [cluster, silent] = await Promise.all([
  startBenchCluster({
    fieldManager: 'soak',
    namespace: NS,
    kafkaNamespace: KAFKA_NS,
    pools: ['brokers', 'typo-pool'], // typo-pool: the pool the 'typo' pipelines name
  }),
  startSilentServer(),
]);
const { kube, s3, admin, simulator } = cluster;
const refusedPort = await freePort(); // nothing listens there
await createSecret(admin, NS, 'wrong-creds', { LAKE_ACCESS_KEY: 'made-up', LAKE_SECRET_KEY: 'made-up-too' });

type Spec = Record<string, unknown>;
const base = (name: string): Spec => ({
  audience: { users: 100_000 },
  kafka: { strimzi: { cluster: 'events', namespace: KAFKA_NS }, topic: { name: `${name}-events` } },
  sources: [{ type: 'simulator', eventsPerSecond: 100 }],
  lakeWriter: { autoscaler: 'keda', lagThreshold: 50_000 },
  lake: { endpoint: s3.endpoint, bucket: `soak-${name}`, credentialsSecret: 'lake-creds' },
});
const lake = (spec: Spec, change: Spec): Spec => ({ ...spec, lake: { ...(spec.lake as Spec), ...change } });

/** Each kind of hostile pipeline and the condition it must end with (and keep): only its own. */
const HOSTILE: Array<{ kind: string; spec: (s: Spec) => Spec; expect: [string, string] }> = [
  {
    kind: 'hung-lake',
    spec: (s) => lake(s, { endpoint: `http://127.0.0.1:${silent.port}` }),
    expect: ['LakeReady', 'LakeUnreachable'],
  },
  {
    kind: 'hung-kafka',
    spec: (s) => ({
      ...s,
      kafka: {
        mode: 'external',
        external: { bootstrapServers: `127.0.0.1:${silent.port}` },
        topic: (s.kafka as Spec).topic,
      },
    }),
    expect: ['TopicsReady', 'KafkaUnreachable'],
  },
  {
    kind: 'refused-lake',
    spec: (s) => lake(s, { endpoint: `http://127.0.0.1:${refusedPort}` }),
    expect: ['LakeReady', 'LakeUnreachable'],
  },
  {
    kind: 'wrong-creds',
    spec: (s) => lake(s, { credentialsSecret: 'wrong-creds' }),
    expect: ['LakeReady', 'LakeAccessDenied'],
  },
  {
    kind: 'no-secret',
    spec: (s) => lake(s, { credentialsSecret: 'absent-creds' }),
    expect: ['LakeReady', 'LakeSecretMissing'],
  },
  {
    kind: 'claimed-topic',
    spec: (s) => ({ ...s, kafka: { ...(s.kafka as Spec), topic: { name: 'h0-events' } } }),
    expect: ['TopicsReady', 'TopicClaimed'],
  },
  {
    kind: 'typo',
    spec: (s) => ({
      ...s,
      audience: { users: 9_000_000_000, eventsPerUserPerDay: 100_000 },
      kafka: {
        ...(s.kafka as Spec),
        strimzi: { cluster: 'events', namespace: KAFKA_NS, brokerPool: 'typo-pool' },
      },
    }),
    expect: ['CapacityPlanned', 'PlanCapped'],
  },
  {
    kind: 'never',
    spec: (s) => ({ ...s, warehouse: { type: 'duckdb' }, schedule: { load: '0 0 30 2 *' } }),
    expect: ['ScheduleReady', 'InvalidSchedule'],
  },
];

const hostileCount = Math.round(N / 3);
const pipelines = Array.from({ length: N }, (_, i) => {
  if (i >= N - hostileCount) {
    const h = HOSTILE[(i - (N - hostileCount)) % HOSTILE.length] as (typeof HOSTILE)[number];
    const name = `x${i}-${h.kind}`;
    return { name, hostile: h, spec: h.spec(base(name)) };
  }
  const name = `h${i}`;
  return { name, hostile: undefined, spec: base(name) }; // h0's topic: the one claimed-topic pipelines try to take
});
const healthy = pipelines.filter((p) => !p.hostile);
const apply = (name: string, spec: Spec) =>
  admin.apply({ apiVersion: API, kind: 'SpotifyPipeline', metadata: { name, namespace: NS }, spec } as never);

// The operator as it ships (operator/dist from `tsc -b`), its own process: its RSS and its warnings alone.
const opsPort = await freePort();
let stderr = '';
const operator = spawn(process.execPath, [resolve(import.meta.dirname, '../../operator/dist/src/main.js')], {
  env: {
    ...process.env,
    KUBECONFIG: kube.kubeconfigPath,
    LEADER_ELECTION: 'false',
    OPS_PORT: String(opsPort),
    LOG_LEVEL: 'error',
    WORKERS: '4',
    RESYNC_SECONDS: '60',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
operator.stderr?.on('data', (chunk: Buffer) => {
  stderr += chunk.toString();
});
const operatorExited = new Promise<number | null>((r) => operator.once('exit', r));

const stopSimulator = new AbortController();
const simulating = simulateCluster(
  simulator,
  { kafkaNamespace: KAFKA_NS, namespace: NS },
  stopSimulator.signal,
);
const ops = (path: string) =>
  fetch(`http://127.0.0.1:${opsPort}${path}`, { signal: AbortSignal.timeout(5000) }).then(
    async (r) => ({ status: r.status, text: await r.text() }),
    () => ({ status: 0, text: '' }),
  );
while ((await ops('/healthz')).status !== 200) await new Promise((r) => setTimeout(r, 500));
for (const p of pipelines) await apply(p.name, p.spec);

type Pipeline = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string; reason: string }>;
  };
};
const list = async () =>
  new Map(
    (await admin.list<Pipeline>({ apiVersion: API, kind: 'SpotifyPipeline', namespace: NS })).items.map(
      (p) => [p.metadata?.name ?? '', p],
    ),
  );
const isReady = (p?: Pipeline) =>
  p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
/** The sum of a metric's series on /metrics. */
const metric = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
const rssMiB = () => {
  const status = readFileSync(`/proc/${operator.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};
const listenerWarnings = () => (stderr.match(/MaxListenersExceededWarning/g) ?? []).length;

// Edits of healthy pipelines: each must be observed (status.observedGeneration) by the operator.
const pendingEdits = new Map<string, { generation: number; at: number }>();
const observeLatencies: number[] = [];
let unobservedAtEnd = 0;
let editRound = 0;
async function editSome(): Promise<void> {
  for (let k = 0; k < EDITS_PER_MINUTE; k++) {
    const p = healthy[(editRound * EDITS_PER_MINUTE + k) % healthy.length];
    if (!p || pendingEdits.has(p.name)) continue;
    const threshold = 50_000 + 1000 * (editRound + 1);
    p.spec = { ...p.spec, lakeWriter: { ...(p.spec.lakeWriter as Spec), lagThreshold: threshold } };
    const applied = (await apply(p.name, p.spec)) as unknown as KubeObject;
    pendingEdits.set(p.name, { generation: applied.metadata?.generation ?? 0, at: performance.now() });
  }
  editRound++;
}

const started = performance.now();
const end = started + MINUTES * 60_000;
const samples: Array<{ t: number; rss: number; reconciles: number; ready: number; readyz: number }> = [];
let nextEdit = started + 60_000;
let stalledSamples = 0; // no reconcile finished while keys waited
let idleSamples = 0; // no reconcile finished, nothing waiting
let lastDepth = 0;
let unreadySamples = 0;
let healthyNotReadyAfterConverge = 0;
let converged = 0;
let lastReconciles = 0;
let lastProgressAt = started;
let longestNoProgress = 0;
while (performance.now() < end) {
  await new Promise((r) => setTimeout(r, SAMPLE_MS));
  if (operator.exitCode !== null) throw new Error(`the operator exited (${operator.exitCode}):\n${stderr}`);
  const now = performance.now();
  if (now >= nextEdit) {
    await editSome();
    nextEdit += 60_000;
  }
  const state = await list();
  for (const [name, edit] of pendingEdits) {
    if ((state.get(name)?.status?.observedGeneration ?? 0) >= edit.generation) {
      observeLatencies.push(now - edit.at);
      pendingEdits.delete(name);
    }
  }
  const ready = healthy.filter((p) => isReady(state.get(p.name))).length;
  if (!converged && ready === healthy.length) converged = now - started;
  if (converged && ready < healthy.length && pendingEdits.size === 0) healthyNotReadyAfterConverge++;
  const metrics = (await ops('/metrics')).text;
  const count = metric(metrics, 'spotify_pipeline_operator_reconcile_total');
  const depth = metric(metrics, 'spotify_pipeline_operator_workqueue_depth');
  if (count > lastReconciles) {
    longestNoProgress = Math.max(longestNoProgress, now - lastProgressAt);
    lastProgressAt = now;
  } else if (depth > 0 && lastDepth > 0) stalledSamples++;
  else idleSamples++;
  lastReconciles = count;
  lastDepth = depth;
  const readyz = (await ops('/readyz')).status;
  if (readyz !== 200 || (await ops('/healthz')).status !== 200) unreadySamples++;
  const rss = rssMiB();
  samples.push({ t: now - started, rss, reconciles: count, ready, readyz });
  process.stdout.write(
    `[soak] ${((now - started) / 60_000).toFixed(1)}/${MINUTES} min: ${count} reconciles (${((count / (now - started)) * 60_000).toFixed(0)}/min), healthy Ready ${ready}/${healthy.length}, edits waiting ${pendingEdits.size}, RSS ${rss.toFixed(1)} MiB, readyz ${readyz}, listener warnings ${listenerWarnings()}\n`,
  );
}
// The last edits get a minute to be observed.
for (const deadline = performance.now() + 60_000; pendingEdits.size > 0 && performance.now() < deadline; ) {
  await new Promise((r) => setTimeout(r, 1000));
  const state = await list();
  for (const [name, edit] of pendingEdits)
    if ((state.get(name)?.status?.observedGeneration ?? 0) >= edit.generation) {
      observeLatencies.push(performance.now() - edit.at);
      pendingEdits.delete(name);
    }
}
unobservedAtEnd = pendingEdits.size;

// Each hostile pipeline holds the condition of its kind, and only its own pipeline is harmed.
const final = await list();
const wrongHostile = pipelines
  .filter((p) => p.hostile)
  .flatMap((p) => {
    const [type, reason] = p.hostile?.expect ?? ['', ''];
    const c = final.get(p.name)?.status?.conditions?.find((x) => x.type === type);
    return c?.reason === reason ? [] : [`${p.name}: ${type}=${c?.reason ?? 'none'}, expected ${reason}`];
  });
for (const line of wrongHostile) process.stderr.write(`[soak] ${line}\n`);
const healthyReadyAtEnd = healthy.filter((p) => isReady(final.get(p.name))).length;
for (const p of healthy.filter((h) => !isReady(final.get(h.name)))) {
  const c = final.get(p.name)?.status?.conditions?.find((x) => x.status !== 'True');
  process.stderr.write(
    `[soak] healthy ${p.name} not Ready: ${c?.type} ${c?.reason}: ${(c as { message?: string })?.message}\n`,
  );
}

operator.kill('SIGTERM');
const exitCode = await operatorExited;
stopSimulator.abort();
await simulating.catch(() => undefined);
await Promise.all([cluster.stop(), silent.stop()]);

const afterConverge = samples.filter((s) => s.t >= converged);
const half = afterConverge[Math.floor(afterConverge.length / 2)];
const last = samples[samples.length - 1];
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const figure = (
  name: string,
  value: number,
  unit: string,
  reference = 'none',
  referenceValue: number | null = null,
) => ({
  name,
  value: round(value),
  unit,
  reference,
  reference_value: referenceValue,
  ratio: referenceValue ? round(value / referenceValue, 3) : null,
});
const result = {
  benchmark: 'operator-soak',
  date: new Date().toISOString(),
  machine: benchMachine('the kube-apiserver, etcd and S3 server on the same machine'),
  notes: `${N} pipelines (${hostileCount} hostile: ${HOSTILE.map((h) => h.kind).join(', ')}), ${MINUTES} min, the compiled operator as its own process (4 workers, resync 60 s), ${EDITS_PER_MINUTE} healthy pipelines edited per minute; a cluster simulator writes KafkaTopic and Deployment status (no Strimzi or kubelet here). Hostile pipelines that did not end with their expected condition: ${wrongHostile.length ? wrongHostile.join('; ') : 'none'}. Operator exit code on SIGTERM: ${exitCode}.`,
  figures: [
    figure('minutes soaked', MINUTES, 'min'),
    figure('time for the healthy pipelines to be Ready', converged / 1000, 's'),
    figure(
      'healthy pipelines Ready at the end',
      healthyReadyAtEnd,
      'pipelines',
      'healthy pipelines',
      healthy.length,
    ),
    figure('hostile pipelines without their expected condition at the end', wrongHostile.length, 'pipelines'),
    figure('reconciles', last?.reconciles ?? 0, 'reconciles'),
    figure(
      'samples (15 s) in which no reconcile finished while keys waited (stalled)',
      stalledSamples,
      'samples',
    ),
    figure('samples (15 s) in which no reconcile finished and none waited (idle)', idleSamples, 'samples'),
    figure('longest time without a finished reconcile', longestNoProgress / 1000, 's'),
    figure('samples with /readyz or /healthz not 200', unreadySamples, 'samples'),
    figure(
      'samples with a healthy pipeline not Ready after convergence (no edit pending)',
      healthyNotReadyAfterConverge,
      'samples',
    ),
    figure('edits of healthy pipelines observed', observeLatencies.length, 'edits'),
    figure('edits not observed by the end', unobservedAtEnd, 'edits'),
    figure('edit observed p50 (15 s sampling)', pct(observeLatencies, 50) / 1000, 's'),
    figure('edit observed max (15 s sampling)', Math.max(0, ...observeLatencies) / 1000, 's'),
    figure('operator RSS after convergence', afterConverge[0]?.rss ?? 0, 'MiB', 'issue 11 aim', 150),
    figure('operator RSS at half time after convergence', half?.rss ?? 0, 'MiB', 'issue 11 aim', 150),
    figure('operator RSS at the end', last?.rss ?? 0, 'MiB', 'issue 11 aim', 150),
    figure('operator RSS max', Math.max(0, ...samples.map((s) => s.rss)), 'MiB', 'issue 11 aim', 150),
    figure('MaxListenersExceededWarning lines on stderr', listenerWarnings(), 'warnings'),
  ],
};
const out = resolve(import.meta.dirname, '../results/operator-soak.json');
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${out}\n`);
process.exit(0);
