import { isDeepStrictEqual } from 'node:util';
import {
  MANAGED_BY,
  names,
  PIPELINE_LABEL,
  PIPELINE_NAMESPACE_LABEL,
  strimziNamespace,
} from '../builders/context.js';
import type { PipelineStatus, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type Applyable, countRequests, type KubeObject } from '../kube/client.js';
import { PIPELINE_REF } from '../kube/resources.js';
import { planCapacity, planInputFromSpec } from '../plan/capacity-plan.js';
import { getCondition, setReady, transitions } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { recordEvent } from './events.js';
import { addFinalizer, FINALIZER, finalize } from './finalizer.js';
import { Informer, keyOf } from './informer.js';
import type { OperatorMetrics } from './metrics.js';
import { reconcileLake } from './pipeline-lake.js';
import { reconcileTopics } from './pipeline-topics.js';
import { reconcileSchedule, reconcileWorkloads } from './pipeline-workloads.js';
import { WorkQueue } from './work-queue.js';

export const PAUSE_ANNOTATION = 'pipeline.spotify-pipeline.io/paused';

export interface ControllerOptions {
  deps: ReconcileDeps;
  metrics: OperatorMetrics;
  /** Parallel reconciles (different keys; one key is never reconciled twice at once). */
  workers?: number;
  /** Every pipeline is reconciled at least this often, events or not. */
  resyncMs?: number;
  /** A pipeline that is not Ready is looked at again after this long (its dependencies may have come). */
  notReadyRequeueMs?: number;
  backoffBaseMs?: number;
  /** Optional per-reconcile hook (the benchmark measures with it). */
  onReconciled?: (key: string, ms: number, requests: number) => void;
}

/** Kinds whose changes (made by anyone) requeue the owning pipeline. */
const WATCHED_CHILDREN = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
  { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTopic' },
  { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaRebalance' },
] as const;

/**
 * The SpotifyPipeline controller. Level-triggered: events only put keys on the queue; a reconcile reads
 * the pipeline, computes every desired child from pure builders, applies the difference with server-side
 * apply, and writes status once, only when it changed.
 */
export class PipelineController {
  readonly queue: WorkQueue;
  readonly pipelines: Informer<SpotifyPipeline>;
  private readonly children: Informer<KubeObject>[];
  private workers: Promise<void>[] = [];
  private readonly deps: ReconcileDeps;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly options: Required<Omit<ControllerOptions, 'onReconciled'>> &
    Pick<ControllerOptions, 'onReconciled'>;

  constructor(options: ControllerOptions) {
    this.options = {
      workers: 4,
      resyncMs: 5 * 60_000,
      notReadyRequeueMs: 30_000,
      backoffBaseMs: 200,
      ...options,
    };
    const { metrics } = this.options;
    const deps: ReconcileDeps = { ...this.options.deps, observed: (ref) => this.observed(ref) };
    this.deps = deps;
    this.queue = new WorkQueue({
      baseDelayMs: this.options.backoffBaseMs,
      maxDelayMs: 5 * 60_000,
      onDepthChange: (d) => metrics.queueDepth.set(d),
    });
    this.pipelines = new Informer<SpotifyPipeline>({
      client: deps.client,
      resource: PIPELINE_REF,
      logger: deps.logger,
      onChange: (obj, deleted, previous) => {
        if (deleted || !previous || specOrMetaChanged(previous, obj)) this.queue.add(keyOf(obj));
      },
    });
    this.children = WATCHED_CHILDREN.map(
      (resource) =>
        new Informer<KubeObject>({
          client: deps.client,
          resource,
          labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}`,
          logger: deps.logger,
          retryDelayMs: 30_000,
          onChange: (obj, deleted, previous) => {
            // Our own apply round-trips show up here too; only changes to what we wrote matter.
            if (
              previous &&
              isDeepStrictEqual(withoutStatus(previous), withoutStatus(obj)) &&
              !deleted &&
              !statusMatters(obj)
            )
              return;
            const labels = obj.metadata?.labels ?? {};
            const name = labels[PIPELINE_LABEL];
            const ns = labels[PIPELINE_NAMESPACE_LABEL];
            if (name && ns) this.queue.add(`${ns}/${name}`);
          },
        }),
    );
  }

  start(): void {
    this.pipelines.start();
    for (const informer of this.children) informer.start();
    for (let i = 0; i < this.options.workers; i++) this.workers.push(this.runWorker());
    this.resyncTimer = setInterval(() => {
      for (const p of this.pipelines.list()) this.queue.add(keyOf(p));
    }, this.options.resyncMs);
    this.resyncTimer.unref();
  }

  get ready(): boolean {
    return this.pipelines.hasSynced;
  }

  /** Stops taking keys, lets in-flight reconciles finish, stops the watches. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.queue.shutDown();
    await Promise.all(this.workers);
    await Promise.all([this.pipelines.stop(), ...this.children.map((c) => c.stop())]);
  }

  private async runWorker(): Promise<void> {
    const { metrics } = this.options;
    const deps = this.deps;
    for (;;) {
      const key = await this.queue.get();
      if (key === null) return;
      const started = performance.now();
      let requests = 0;
      try {
        const counted = await countRequests(() => this.reconcile(key));
        requests = counted.requests;
        const requeueAfter = counted.result;
        this.queue.forget(key);
        if (requeueAfter !== null) this.queue.addAfter(key, requeueAfter);
        metrics.reconciles.inc({ result: requeueAfter === null ? 'success' : 'requeue' });
      } catch (err) {
        metrics.reconciles.inc({ result: 'error' });
        metrics.errors.inc({ kind: (err as Error).name || 'Error' });
        metrics.retries.inc();
        const delay = this.queue.addRateLimited(key);
        deps.logger.warn({ err, pipeline: key, retryInMs: delay }, 'reconcile failed: retrying with backoff');
      } finally {
        const ms = performance.now() - started;
        metrics.duration.observe(ms / 1000);
        this.options.onReconciled?.(key, ms, requests);
        this.queue.done(key);
      }
    }
  }

  /** One pass for one key; returns when to look again (null: only on events and resync). */
  async reconcile(key: string): Promise<number | null> {
    const deps = this.deps;
    const pipeline = this.pipelines.get(key);
    if (!pipeline) return null;
    const logger = deps.logger.child({ pipeline: key });
    if (pipeline.metadata.annotations?.[PAUSE_ANNOTATION] === 'true') {
      logger.debug('paused: not reconciling');
      return null;
    }
    const status: PipelineStatus = structuredClone(pipeline.status ?? {});
    const previousPartitions = Math.max(
      status.plan?.partitions ?? 0,
      status.topic?.partitions ?? 0,
      this.existingTopicPartitions(pipeline),
    );
    const plan = planCapacity(planInputFromSpec(pipeline.spec), previousPartitions);
    const ctx = { pipeline, plan, images: deps.images };

    if (pipeline.metadata.deletionTimestamp) {
      if (!pipeline.metadata.finalizers?.includes(FINALIZER)) return null;
      const problem = await finalize(deps, ctx);
      if (problem) {
        await recordEvent(deps.client, pipeline, 'Warning', 'DeletionBlocked', problem);
        throw new Error(problem);
      }
      await recordEvent(
        deps.client,
        pipeline,
        'Normal',
        'Finalized',
        `Deleted with deletionPolicy ${pipeline.spec.deletionPolicy}.`,
      );
      logger.info({ deletionPolicy: pipeline.spec.deletionPolicy }, 'finalized');
      return null;
    }
    if (!pipeline.metadata.finalizers?.includes(FINALIZER)) await addFinalizer(deps, pipeline);

    // The four concerns touch disjoint objects and disjoint status fields, so they run side by side:
    // a reconcile costs the slowest of them rather than their sum.
    await Promise.all([
      reconcileTopics(deps, ctx, status),
      reconcileLake(deps, ctx, status),
      reconcileWorkloads(deps, ctx, status),
      reconcileSchedule(deps, ctx, status),
    ]);
    setReady(status, pipeline.metadata.generation);
    const { explanation: _, ...planStatus } = plan;
    status.plan = planStatus;
    if (pipeline.metadata.generation !== undefined) status.observedGeneration = pipeline.metadata.generation;

    await this.writeStatus(pipeline, status);
    return getCondition(status, 'Ready')?.status === 'True' ? null : this.options.notReadyRequeueMs;
  }

  private observed(ref: Applyable): KubeObject | null | undefined {
    const informer = this.children.find((c) => c.kind === ref.kind && c.apiVersion === ref.apiVersion);
    if (!informer?.hasSynced) return undefined;
    return informer.get(`${ref.metadata?.namespace ?? ''}/${ref.metadata?.name ?? ''}`) ?? null;
  }

  /** Partitions of the KafkaTopic as it exists: the floor of the plan even if our status lags behind. */
  private existingTopicPartitions(pipeline: SpotifyPipeline): number {
    if (pipeline.spec.kafka.mode !== 'strimzi') return 0;
    const topics = this.children.find((c) => c.kind === 'KafkaTopic');
    const topic = topics?.get(`${strimziNamespace(pipeline)}/${names.kafkaTopic(pipeline)}`) as
      | { spec?: { partitions?: number } }
      | undefined;
    return topic?.spec?.partitions ?? 0;
  }

  private async writeStatus(pipeline: SpotifyPipeline, status: PipelineStatus): Promise<void> {
    const { metrics } = this.options;
    const deps = this.deps;
    if (isDeepStrictEqual(normalize(pipeline.status ?? {}), normalize(status))) {
      metrics.statusWrites.inc({ skipped: 'true' });
      return;
    }
    await deps.client.apply(
      {
        apiVersion: pipeline.apiVersion,
        kind: pipeline.kind,
        metadata: { name: pipeline.metadata.name, namespace: pipeline.metadata.namespace },
        status,
      } as never,
      'status',
    );
    metrics.statusWrites.inc({ skipped: 'false' });
    for (const c of transitions(pipeline.status, status)) {
      await recordEvent(
        deps.client,
        pipeline,
        c.status === 'True' ? 'Normal' : 'Warning',
        c.reason,
        `${c.type}: ${c.message}`,
      );
    }
  }
}

function normalize(status: PipelineStatus): unknown {
  return JSON.parse(
    JSON.stringify({
      ...status,
      conditions: [...(status.conditions ?? [])].sort((a, b) => a.type.localeCompare(b.type)),
    }),
  );
}

function withoutStatus(obj: KubeObject): unknown {
  const { status: _s, metadata, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: _r, managedFields: _m, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Status of these kinds feeds our conditions (Strimzi readiness, Deployment availability). */
function statusMatters(obj: KubeObject): boolean {
  return (
    obj.kind === 'Deployment' ||
    obj.kind === 'Job' ||
    obj.kind === 'KafkaTopic' ||
    obj.kind === 'KafkaRebalance'
  );
}

function specOrMetaChanged(previous: SpotifyPipeline, next: SpotifyPipeline): boolean {
  return (
    previous.metadata.generation !== next.metadata.generation ||
    !isDeepStrictEqual(previous.metadata.annotations, next.metadata.annotations) ||
    previous.metadata.deletionTimestamp !== next.metadata.deletionTimestamp ||
    !isDeepStrictEqual(previous.metadata.finalizers, next.metadata.finalizers)
  );
}
