import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { putPipelineSecrets, putSecret, testWorld } from '../../test/support/reconcile-world.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { KubeApiError } from '../kube/api.js';
import { conditionOk } from './conditions.js';
import { FINALIZER } from './finalizer.js';
import { PAUSE_ANNOTATION, type PassOptions, PIPELINE_STEPS, reconcilePipeline } from './pipeline-pass.js';
import type { ReconcileStep } from './step.js';

const options = (steps: readonly ReconcileStep[] = PIPELINE_STEPS): PassOptions => ({
  steps,
  notReadyRequeueMs: 30_000,
  stepRun: { timeoutMs: 50, stragglers: new Map() },
});
const reasons = (status: SpotifyPipeline['status']) =>
  Object.fromEntries((status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));

describe('a pass over one pipeline', () => {
  it('runs every step, adds the finalizer, and assembles one status with the plan', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
    const pipeline = testPipeline();
    const result = await reconcilePipeline(deps, pipeline, options());
    expect(reasons(result.status ?? {})).toEqual({
      CapacityPlanned: 'True PlanWithinLimits',
      TopicsReady: 'False TopicNotReady',
      BrokersReady: 'False BrokerPoolNotFound',
      LakeReady: 'True BucketReady',
      WorkloadsReady: 'False DeploymentsNotAvailable',
      ScheduleReady: 'True Scheduled',
      Ready: 'False TopicNotReady',
    });
    expect(result.status?.plan?.partitions).toBeGreaterThan(0);
    expect(result.status?.observedGeneration).toBe(1);
    expect(result.requeue).toBe(30_000);
    const stored = kube.peek({ ...pipeline, namespace: 'music', name: 'wrapped' } as never);
    expect(stored?.metadata?.finalizers).toEqual([FINALIZER]);
  });

  it('reports a step that throws and a step that hangs on their own conditions; the others still report', async () => {
    const { deps } = testWorld();
    const ok: ReconcileStep = {
      name: 'topics',
      condition: 'TopicsReady',
      run: async () => ({ conditions: [conditionOk('TopicsReady', 'TopicReady', 'fine')] }),
    };
    const throws: ReconcileStep = {
      name: 'workloads',
      condition: 'WorkloadsReady',
      run: async () => {
        throw new KubeApiError(
          422,
          { message: 'Deployment.apps "x" is invalid: spec.replicas' },
          'PATCH',
          'x',
        );
      },
    };
    const hangs: ReconcileStep = { name: 'lake', condition: 'LakeReady', run: () => new Promise(() => {}) };
    const result = await reconcilePipeline(deps, testPipeline(), options([ok, throws, hangs]));
    expect(reasons(result.status ?? {})).toMatchObject({
      TopicsReady: 'True TopicReady',
      WorkloadsReady: 'False ApiServerRejected',
      LakeReady: 'False StepTimedOut',
      // BrokersReady and ScheduleReady come from steps this list leaves out
      Ready: 'False NotReconciled',
    });
    expect(result.requeue).toBe('backoff');
  });

  it('writes Paused on Ready and touches nothing else while paused', async () => {
    const { kube, deps } = testWorld();
    const pipeline = testPipeline();
    pipeline.metadata.annotations = { [PAUSE_ANNOTATION]: 'true' };
    pipeline.status = {
      conditions: [
        {
          type: 'LakeReady',
          status: 'True',
          reason: 'BucketReady',
          message: 'ok',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const result = await reconcilePipeline(deps, pipeline, options());
    expect(reasons(result.status ?? {})).toEqual({
      LakeReady: 'True BucketReady',
      Ready: 'False ReconciliationPaused',
    });
    expect(result.requeue).toBeNull();
    expect(kube.calls).toEqual([]);
  });

  it('finalizes a deleted pipeline under Retain and writes no status', async () => {
    const { kube, deps } = testWorld();
    const pipeline = testPipeline();
    pipeline.metadata.finalizers = [FINALIZER];
    pipeline.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    kube.put(pipeline as never);
    const result = await reconcilePipeline(deps, pipeline, options());
    expect(result).toMatchObject({
      status: null,
      requeue: null,
      finalized: 'Deleted with deletionPolicy Retain.',
    });
    expect(
      kube.peek({
        apiVersion: pipeline.apiVersion,
        kind: pipeline.kind,
        namespace: 'music',
        name: 'wrapped',
      }),
    ).toBeUndefined();
  });

  it('reports a deletion that cannot finish on Ready, with a warning', async () => {
    const { kube, deps } = testWorld();
    const pipeline = testPipeline({ deletionPolicy: 'Delete' });
    pipeline.metadata.finalizers = [FINALIZER];
    pipeline.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    kube.put(pipeline as never);
    const result = await reconcilePipeline(deps, pipeline, options());
    expect(reasons(result.status ?? {})).toEqual({ Ready: 'False DeletionBlocked' });
    expect(result.warning?.message).toContain('lake-creds');
    expect(result.requeue).toBe('backoff');
  });

  it('under Delete removes only its own lake prefixes (events, catalog topics, checkpoints), and keeps a bucket another pipeline uses', async () => {
    const { kube, deps, lakeCalls } = testWorld();
    await putSecret(kube, 'lake-creds', { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
    const other = testPipeline({
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'plays' } },
    });
    other.metadata = {
      ...other.metadata,
      name: 'other',
      uid: 'uid-other',
      creationTimestamp: '2025-01-01T00:00:00Z',
    };
    const pipeline = testPipeline({ deletionPolicy: 'Delete' });
    pipeline.metadata.finalizers = [FINALIZER];
    pipeline.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    pipeline.status = { claims: ['lake:http://minio.minio:9000/spotify-lake/bronze/old-topic/'] };
    kube.put(pipeline as never);
    deps.pipelines = () => [other, pipeline];
    const result = await reconcilePipeline(deps, pipeline, options());
    expect(lakeCalls).toEqual([
      [
        'remove spotify-lake bronze/listening-events/',
        'bronze/listening-events.catalog.artists/',
        'bronze/listening-events.catalog.albums/',
        'bronze/listening-events.catalog.tracks/',
        'bronze/old-topic/',
        'bronze/old-topic.catalog.artists/',
        'bronze/old-topic.catalog.albums/',
        'bronze/old-topic.catalog.tracks/',
        'checkpoints/lake-writer/music.wrapped.lake-writer/',
        'checkpoints/lake-writer/music.wrapped.lake-writer.listening-events.catalog.artists/',
        'checkpoints/lake-writer/music.wrapped.lake-writer.listening-events.catalog.albums/',
        'checkpoints/lake-writer/music.wrapped.lake-writer.listening-events.catalog.tracks/',
      ].join(','),
    ]);
    expect(result.finalized).toContain('bucket spotify-lake kept: pipeline music/other uses it');
  });
});
