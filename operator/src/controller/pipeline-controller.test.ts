import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { putSecret, testWorld } from '../../test/support/reconcile-world.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { createOperatorMetrics } from './metrics.js';
import { PipelineController } from './pipeline-controller.js';
import type { ReconcileStep } from './step.js';

const controllers: PipelineController[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

function start(
  world: ReturnType<typeof testWorld>,
  options: Partial<ConstructorParameters<typeof PipelineController>[0]> = {},
) {
  const registry = new Registry();
  const { external: _, observed: __, ...deps } = world.deps;
  const controller = new PipelineController({
    deps,
    metrics: createOperatorMetrics(registry),
    workers: 2,
    backoffBaseMs: 10,
    shutdownGraceMs: 100,
    ...options,
  });
  controllers.push(controller);
  controller.start();
  return { controller, registry };
}

function pipelineNamed(name: string): SpotifyPipeline {
  const p = testPipeline();
  p.metadata = { ...p.metadata, name, uid: `uid-${name}` };
  return p;
}

const until = async (what: string, check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const statusOf = (world: ReturnType<typeof testWorld>, name: string) =>
  world.kube.peek<SpotifyPipeline>({
    apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
    kind: 'SpotifyPipeline',
    namespace: 'music',
    name,
  })?.status;

describe('PipelineController (in memory)', () => {
  it('reconciles every pipeline it watches and writes its status', async () => {
    const world = testWorld();
    await putSecret(world.kube, 'lake-creds', { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
    world.kube.put(pipelineNamed('a'));
    world.kube.put(pipelineNamed('b'));
    const { controller } = start(world);
    await until('both statuses', () => ['a', 'b'].every((n) => statusOf(world, n)?.conditions?.length === 7));
    expect(statusOf(world, 'a')?.conditions?.find((c) => c.type === 'LakeReady')?.status).toBe('True');
    await until('queue empty', () => controller.queue.depth === 0);
    expect(controller.stalled).toBe(false);
    expect(controller.ready).toBe(true);
  });

  it('with watch namespaces, lists, watches and reads only there, and leaves other pipelines alone', async () => {
    const world = testWorld();
    await putSecret(world.kube, 'lake-creds', { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
    world.kube.put(pipelineNamed('a'));
    const elsewhere = pipelineNamed('b');
    elsewhere.metadata = { ...elsewhere.metadata, namespace: 'other' };
    world.kube.put(elsewhere);
    start(world, { watchNamespaces: ['music', 'staging'] });
    await until('status of a', () => (statusOf(world, 'a')?.conditions?.length ?? 0) > 0);
    await new Promise((r) => setTimeout(r, 50));
    const other = world.kube.peek<SpotifyPipeline>({ ...elsewhere, namespace: 'other', name: 'b' });
    expect(other?.status).toBeUndefined();
    const watching = world.kube.calls.filter((c) => c.verb === 'list' || c.verb === 'watch');
    expect(new Set(watching.map((c) => c.namespace))).toEqual(new Set(['music', 'staging']));
    expect(world.kube.calls.filter((c) => c.namespace === 'other')).toEqual([]);
  });

  it('moves a worker on when a pass outlives its deadline, and never runs one key twice', async () => {
    const world = testWorld();
    let running = 0;
    let maxConcurrentForA = 0;
    const hang: ReconcileStep = {
      name: 'lake',
      condition: 'LakeReady',
      run: (_deps, ctx) => {
        if (ctx.key === 'music/a') {
          running++;
          maxConcurrentForA = Math.max(maxConcurrentForA, running);
          return new Promise(() => {});
        }
        return Promise.resolve({ conditions: [] });
      },
    };
    world.kube.put(pipelineNamed('a'));
    world.kube.put(pipelineNamed('b'));
    const { controller } = start(world, {
      workers: 1,
      steps: [hang],
      stepTimeoutMs: 60_000,
      passTimeoutMs: 50,
    });
    await until('b reconciled though a hangs with the only worker', () => statusOf(world, 'b') !== undefined);
    controller.queue.add('music/a');
    await new Promise((r) => setTimeout(r, 100));
    expect(maxConcurrentForA).toBe(1);
  });

  it('is not ready once keys wait and no reconcile finishes for the stall time', async () => {
    const world = testWorld();
    const hang: ReconcileStep = { name: 'lake', condition: 'LakeReady', run: () => new Promise(() => {}) };
    world.kube.put(pipelineNamed('a'));
    world.kube.put(pipelineNamed('b'));
    const { controller } = start(world, {
      workers: 1,
      steps: [hang],
      stepTimeoutMs: 60_000,
      passTimeoutMs: 60_000,
      stallMs: 100,
    });
    await until('stalled', () => controller.stalled, 5000);
    expect(controller.ready).toBe(false);
    expect(controller.stallReason()).toMatch(/1 pipelines wait and no reconcile finished for \d+s/);
  });
});
