import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { countRequests } from '../kube/client.js';
import type { ReconcileDeps } from './deps.js';
import { recordEvent } from './events.js';
import { ExternalCalls } from './external-calls.js';
import type { OperatorMetrics } from './metrics.js';
import { type PassResult, PIPELINE_STEPS, reconcilePipeline } from './pipeline-pass.js';
import { writeStatus } from './pipeline-status.js';
import { PipelineWatches } from './pipeline-watches.js';
import type { ReconcileStep } from './step.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  /** The world as the steps reach it; the controller adds its own watch caches and external calls. */
  deps: Omit<ReconcileDeps, 'observed' | 'owned' | 'external' | 'pipelines'>;
  metrics: OperatorMetrics;
  /** Parallel reconciles (different keys; one key is never reconciled twice at once). */
  workers?: number;
  /** Every pipeline is reconciled at least this often, events or not. */
  resyncMs?: number;
  /** A pipeline that is not Ready is looked at again after this long (its dependencies may have come). */
  notReadyRequeueMs?: number;
  backoffBaseMs?: number;
  /** Deadline of one step; a step that passes it is reported on its condition and the pass goes on. */
  stepTimeoutMs?: number;
  /** Deadline of a whole pass; past it the worker moves on and the key waits for the pass to end. */
  passTimeoutMs?: number;
  /** Keys waiting with no reconcile finishing for this long: the controller is stalled (not ready). */
  stallMs?: number;
  /** Wait before listing again a kind the API server does not serve. */
  missingKindRetryMs?: number;
  /** Pipelines and children are watched in these namespaces only (empty: the whole cluster). */
  watchNamespaces?: readonly string[];
  /** On stop, in-flight reconciles get this long to finish (within the pod's termination grace). */
  shutdownGraceMs?: number;
  /** How long a reconcile waits for an object-store or Kafka call it started before moving on. */
  inlineWaitMs?: number;
  steps?: readonly ReconcileStep[];
  /** Optional per-reconcile hook (the benchmark measures with it). */
  onReconciled?: (key: string, ms: number, requests: number) => void;
}

type Settings = Required<Omit<ControllerOptions, 'onReconciled' | 'deps' | 'metrics'>>;

/**
 * The SpotifyPipeline controller: the loop. Watches put keys on a deduplicating queue; workers take keys,
 * run one pass (pipeline-pass.ts), write its status (pipeline-status.ts) and requeue as the pass asks.
 * Every cache lives in this instance, so a new leader starts with fresh ones.
 */
export class PipelineController {
  readonly queue: WorkQueue;
  readonly watches: PipelineWatches;
  private workers: Promise<void>[] = [];
  private readonly deps: ReconcileDeps;
  private readonly metrics: OperatorMetrics;
  private readonly settings: Settings;
  private readonly onReconciled: ControllerOptions['onReconciled'];
  private readonly stragglers = new Map<string, Promise<unknown>>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private lastProgressAt = Date.now();

  constructor(options: ControllerOptions) {
    this.settings = {
      workers: 4,
      resyncMs: 5 * 60_000,
      notReadyRequeueMs: 30_000,
      backoffBaseMs: 200,
      stepTimeoutMs: 30_000,
      passTimeoutMs: 90_000,
      stallMs: 180_000,
      missingKindRetryMs: 30_000,
      watchNamespaces: [],
      shutdownGraceMs: 20_000,
      inlineWaitMs: 1000,
      steps: PIPELINE_STEPS,
      ...withoutUndefined(options),
    } as Settings;
    this.metrics = options.metrics;
    this.onReconciled = options.onReconciled;
    this.queue = new WorkQueue({
      baseDelayMs: this.settings.backoffBaseMs,
      maxDelayMs: 5 * 60_000,
      onDepthChange: (depth, before) => {
        this.metrics.queueDepth.set(depth);
        // The stall clock starts when keys start waiting, not at the last reconcile before an idle spell.
        if (before === 0 && depth > 0) this.lastProgressAt = Date.now();
      },
    });
    this.watches = new PipelineWatches({
      client: options.deps.client,
      logger: options.deps.logger,
      enqueue: (key) => this.queue.add(key),
      missingKindRetryMs: this.settings.missingKindRetryMs,
      namespaces: this.settings.watchNamespaces,
    });
    this.deps = {
      ...options.deps,
      observed: (ref) => this.watches.observed(ref),
      owned: (apiVersion, kind, pipeline) => this.watches.owned(apiVersion, kind, pipeline),
      pipelines: () => this.watches.pipelines.list(),
      external: new ExternalCalls({
        inlineWaitMs: this.settings.inlineWaitMs,
        retryBaseMs: 1000,
        retryMaxMs: 60_000,
        onSettled: (key) => this.queue.add(key),
      }),
    };
  }

  get pipelines() {
    return this.watches.pipelines;
  }

  start(): void {
    this.watches.start();
    for (let i = 0; i < this.settings.workers; i++) this.workers.push(this.runWorker());
    this.resyncTimer = setInterval(() => {
      for (const p of this.watches.pipelines.list()) this.queue.add(keyOf(p));
    }, this.settings.resyncMs);
    this.resyncTimer.unref();
  }

  /** Synced, and the queue is moving: keys that wait are being worked off. */
  get ready(): boolean {
    return this.watches.pipelines.hasSynced && !this.stalled;
  }

  get stalled(): boolean {
    return this.stallReason() !== null;
  }

  /** Why the controller is stalled: keys wait and no reconcile finished for the stall time; else null. */
  stallReason(): string | null {
    const idle = Date.now() - this.lastProgressAt;
    if (this.queue.depth === 0 || idle <= this.settings.stallMs) return null;
    return `${this.queue.depth} pipelines wait and no reconcile finished for ${Math.round(idle / 1000)}s`;
  }

  /** Stops taking keys, gives in-flight reconciles the grace time to finish, stops the watches. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.queue.shutDown();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.settings.shutdownGraceMs);
    });
    await Promise.race([Promise.all(this.workers), grace]);
    clearTimeout(timer);
    await this.watches.stop();
  }

  private async runWorker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === null) return;
      const started = performance.now();
      const pass = countRequests(() => this.reconcile(key));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.settings.passTimeoutMs);
      });
      const first = await Promise.race([
        pass.then(
          (r) => ({ ok: r }),
          (err: unknown) => ({ err }),
        ),
        timedOut,
      ]);
      clearTimeout(timer);
      if (first === 'timeout') {
        // The worker moves on; the key stays "processing" until the pass ends, so it never runs twice.
        this.deps.logger.warn(
          { pipeline: key, timeoutMs: this.settings.passTimeoutMs },
          'reconcile did not finish in time: the worker moves on',
        );
        this.metrics.reconciles.inc({ result: 'timeout' });
        void pass
          .catch(() => undefined)
          .finally(() => {
            this.queue.addRateLimited(key);
            this.queue.done(key);
          });
        continue;
      }
      this.finish(key, first, started);
    }
  }

  private finish(
    key: string,
    result: { ok: { result: PassResult['requeue']; requests: number } } | { err: unknown },
    started: number,
  ): void {
    const ms = performance.now() - started;
    this.lastProgressAt = Date.now();
    if ('err' in result) {
      this.metrics.reconciles.inc({ result: 'error' });
      this.metrics.errors.inc({ kind: (result.err as Error).name || 'Error' });
      this.metrics.retries.inc();
      const delay = this.queue.addRateLimited(key);
      this.deps.logger.warn(
        { err: result.err, pipeline: key, retryInMs: delay },
        'reconcile failed: retrying with backoff',
      );
    } else {
      const requeue = result.ok.result;
      if (requeue === 'backoff') {
        this.metrics.retries.inc();
        this.queue.addRateLimited(key);
      } else {
        this.queue.forget(key);
        if (requeue !== null) this.queue.addAfter(key, requeue);
      }
      this.metrics.reconciles.inc({
        result: requeue === null ? 'success' : requeue === 'backoff' ? 'retry' : 'requeue',
      });
    }
    this.metrics.duration.observe(ms / 1000);
    this.onReconciled?.(key, ms, 'ok' in result ? result.ok.requests : 0);
    this.queue.done(key);
  }

  /** One pass for one key; returns when to look again. */
  async reconcile(key: string): Promise<PassResult['requeue']> {
    const pipeline = this.watches.pipelines.get(key);
    if (!pipeline) {
      this.deps.external.forget(key);
      return null;
    }
    const result = await reconcilePipeline(this.deps, pipeline, {
      steps: this.settings.steps,
      notReadyRequeueMs: this.settings.notReadyRequeueMs,
      stepRun: {
        timeoutMs: this.settings.stepTimeoutMs,
        stragglers: this.stragglers,
        onStragglerSettled: (k) => this.queue.add(k),
      },
    });
    if (result.warning)
      await recordEvent(this.deps.client, pipeline, 'Warning', result.warning.reason, result.warning.message);
    if (result.finalized) {
      await recordEvent(this.deps.client, pipeline, 'Normal', 'Finalized', result.finalized);
      this.deps.logger.info({ pipeline: key, finalized: result.finalized }, 'finalized');
    }
    if (result.status) await writeStatus(this.deps.client, this.metrics, pipeline, result.status);
    return result.requeue;
  }
}

function keyOf(p: SpotifyPipeline): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
