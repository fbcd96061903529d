// Autoscaling for real on the single-node cluster. KEDA: a pipeline with `autoscaler: keda` under a produced
// burst scales its lake writers 1 -> N -> 1 (never above the partitions), the operator does not fight KEDA over
// replicas, the scaling shows in the pipeline's status and Events, and every event of the burst is in the lake.
// HPA: the same pipeline switched to `autoscaler: hpa` scales on the writers' CPU (metrics-server) 1 -> N -> 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMetricsServer,
  applyPipeline,
  type BurstEnvironment,
  type BurstResult,
  burstNames,
  deploymentReplicas,
  lakeCounts,
  PARTITIONS,
  runBurst,
  startBurstEnvironment,
  terminationsOf,
  waitUntilSteady,
  watchScaling,
} from './keda-burst.js';

const EVENTS = 300_000;
/** Killed by the kernel at the limit, or aborted by V8 at its heap cap (SIGABRT: exit 134). */
const diedOfMemory = (termination: string) =>
  termination.startsWith('OOMKilled') || termination.endsWith('exit 134');
const log = (line: string) => process.stdout.write(`${line}\n`);
let env: BurstEnvironment;
let burst: BurstResult;
const seenScaling: Array<Record<string, unknown>> = [];
const replicasAfterForcedReconcile: number[] = [];
let scaledUpReplicas = 0;

beforeAll(async () => {
  env = await startBurstEnvironment(log);
  await applyPipeline(env, { lagThreshold: 5000, autoscaler: 'keda' });
  await waitUntilSteady(env, 'keda');
  const scalingWatch = watchScaling(env);
  burst = await runBurst(env, {
    events: EVENTS,
    timeoutMs: 540_000,
    log,
    whileScaledUp: async () => {
      // The operator reconciles the pipeline now (a metadata change enqueues it) and on every resync: it
      // must leave spec.replicas to KEDA's HPA.
      scaledUpReplicas = (await deploymentReplicas(env)).replicas;
      await env.kubectl([
        'annotate',
        'spl',
        '-n',
        burstNames.namespace,
        burstNames.name,
        `test.spotify-pipeline.io/nudge=${Date.now()}`,
        '--overwrite',
      ]);
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        replicasAfterForcedReconcile.push((await deploymentReplicas(env)).replicas);
      }
    },
  });
  seenScaling.push(...(await scalingWatch.stop()));
  // A cluster, a lake-writer image and a burst: 12 minutes here once, 20 when the machine is loaded and the
  // image's layer cache is cold.
}, 2_400_000);

afterAll(async () => {
  await env?.stop();
}, 120_000);

describe('KEDA scales the lake writers under a burst', () => {
  it('goes 1 -> N -> 1, never above the partition count', () => {
    expect(burst.firstAddedWriterMs).toBeDefined();
    expect(burst.maxReplicas).toBeGreaterThan(1);
    expect(burst.maxReplicas).toBeLessThanOrEqual(PARTITIONS);
    expect(Math.max(...burst.samples.map((s) => s.replicas))).toBeLessThanOrEqual(PARTITIONS);
    expect(burst.drainedMs).toBeDefined();
    expect(burst.backToOneMs).toBeDefined();
  });

  it('the operator never takes spec.replicas back from the autoscaler', async () => {
    expect(scaledUpReplicas).toBeGreaterThan(1);
    // Scale-down only starts after the stabilization window: anything below what KEDA asked would be the operator.
    expect(Math.min(...replicasAfterForcedReconcile)).toBeGreaterThanOrEqual(scaledUpReplicas);
    const managed = JSON.parse(
      await env.kubectl([
        'get',
        'deployment',
        '-n',
        burstNames.namespace,
        env.lakeWriter,
        '--show-managed-fields',
        '-o',
        'jsonpath={.metadata.managedFields}',
      ]),
    ) as Array<{ manager: string; fieldsV1?: { 'f:spec'?: Record<string, unknown> } }>;
    const ownersOfReplicas = managed
      .filter((m) => m.fieldsV1?.['f:spec']?.['f:replicas'])
      .map((m) => m.manager);
    expect(ownersOfReplicas).not.toContain('spotify-pipeline-operator');
  });

  it('shows in the status (current/desired writers, lag) and as Events', async () => {
    expect(seenScaling.some((s) => (s.current as number) > 1 && s.autoscaler === 'keda')).toBe(true);
    expect(seenScaling.some((s) => typeof s.lag === 'number')).toBe(true);
    const events = await env.kubectl([
      'get',
      'events',
      '-n',
      burstNames.namespace,
      '--field-selector',
      `involvedObject.name=${burstNames.name},reason=LakeWritersScaled`,
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    const changes = [...events.matchAll(/Lake writers (\d+) -> (\d+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(changes.some(([from, to]) => from === 1 && (to ?? 0) > 1)).toBe(true);
    expect(changes.some(([from, to]) => (from ?? 0) > (to ?? 0))).toBe(true);
  });

  it('no lake writer died of memory holding the burst (each pod checked every 5 s)', () => {
    log(`[burst] writer terminations during the KEDA burst: ${terminationsOf(burst).join(', ') || 'none'}`);
    expect(terminationsOf(burst).filter(diedOfMemory)).toEqual([]);
  });

  it('every event of the burst is in the lake, exactly once per event id', async () => {
    const { distinct, rows, missing } = await lakeCounts(env, burst.ids);
    log(`[burst] lake: ${distinct} distinct events in ${rows} rows`);
    expect(missing).toBe(0);
    expect(distinct).toBe(EVENTS);
    expect(rows).toBeGreaterThanOrEqual(EVENTS);
  });
});

// Issue 15: this part was quarantined twice. In 1 of 3 CI runs the writer switched to HPA mode was never ready and
// consumed nothing (1 replica asked, 0 ready, lag flat): the one writer of the burst, starved of CPU, answered its
// probes after their 1 s timeout and died of memory; each restart dropped its uncommitted batches, and the HPA,
// which takes CPU only from ready pods, held one writer. Probe timeouts, a V8 heap inside the limit and the writer
// yielding within a fetch fixed the first part; a full `.ci/run` still saw it OOM-killed with the heap capped, as
// its buffers were bounded per partition and not together. The memory budget across partitions fixed that
// (bench/lake-writer-memory shows the death without it in a 256 MiB cgroup). The writers request 200m
// here: an idle writer uses about 40m, which at 100m and a 70% target kept two writers for ever.
describe('the HPA mode scales the lake writers on their CPU (metrics-server)', () => {
  const HPA_EVENTS = 200_000;
  let hpaBurst: BurstResult;
  const hpaScaling: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    await addMetricsServer(env, log);
    await applyPipeline(env, { lagThreshold: 5000, autoscaler: 'hpa', cpu: '200m' });
    await waitUntilSteady(env, 'hpa');
    const scalingWatch = watchScaling(env);
    hpaBurst = await runBurst(env, { events: HPA_EVENTS, timeoutMs: 540_000, log });
    hpaScaling.push(...(await scalingWatch.stop()));
  }, 1_200_000);

  it('goes 1 -> N -> 1, never above the partition count, shown in the status', () => {
    expect(hpaBurst.maxReplicas).toBeGreaterThan(1);
    expect(Math.max(...hpaBurst.samples.map((s) => s.replicas))).toBeLessThanOrEqual(PARTITIONS);
    expect(hpaBurst.backToOneMs).toBeDefined();
    expect(hpaScaling.some((s) => (s.current as number) > 1 && s.autoscaler === 'hpa')).toBe(true);
  });

  it('no lake writer died of memory holding the burst', () => {
    log(`[burst] writer terminations during the HPA burst: ${terminationsOf(hpaBurst).join(', ') || 'none'}`);
    expect(terminationsOf(hpaBurst).filter(diedOfMemory)).toEqual([]);
  });

  it('every event of the second burst is in the lake too', async () => {
    const { distinct, rows, missing } = await lakeCounts(env, hpaBurst.ids);
    log(`[burst] lake after the HPA burst: ${distinct} distinct events in ${rows} rows`);
    expect(missing).toBe(0);
    expect(distinct).toBe(EVENTS + HPA_EVENTS);
  });
});
