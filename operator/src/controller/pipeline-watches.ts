import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '@spotify-pipeline/shared';
import { MANAGED_BY, PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL } from '../builders/context.js';
import { STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { Applyable, KubeApi, KubeObject } from '../kube/api.js';
import { PIPELINE_REF } from '../kube/resources.js';
import { Informer, keyOf } from './informer.js';

/** Kinds whose changes (made by anyone) requeue the owning pipeline. */
const WATCHED_CHILDREN = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
  { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaTopic' },
  { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaRebalance' },
] as const;

/** Status of these kinds feeds our conditions (Strimzi readiness, Deployment availability, import Jobs). */
const STATUS_MATTERS = new Set(['Deployment', 'Job', 'KafkaTopic', 'KafkaRebalance']);

export interface PipelineWatchesOptions {
  client: KubeApi;
  logger: Logger;
  /** Puts a pipeline key on the work queue. */
  enqueue: (key: string) => void;
  /** Wait before listing again a kind the API server does not serve (its CRD is not installed yet). */
  missingKindRetryMs?: number;
}

/**
 * The watch caches of one controller: every SpotifyPipeline, and every child kind the operator writes
 * (label-selected on managed-by). Watch events only enqueue pipeline keys; reconciles read the caches.
 */
export class PipelineWatches {
  readonly pipelines: Informer<SpotifyPipeline>;
  private readonly children: Informer<KubeObject>[];

  constructor(options: PipelineWatchesOptions) {
    const { client, logger, enqueue } = options;
    this.pipelines = new Informer<SpotifyPipeline>({
      client,
      resource: PIPELINE_REF,
      logger,
      onChange: (obj, deleted, previous) => {
        if (deleted || !previous || specOrMetaChanged(previous, obj)) enqueue(keyOf(obj));
      },
    });
    this.children = WATCHED_CHILDREN.map(
      (resource) =>
        new Informer<KubeObject>({
          client,
          resource,
          labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}`,
          logger,
          retryDelayMs: options.missingKindRetryMs ?? 30_000,
          onChange: (obj, deleted, previous) => {
            // Our own apply round-trips show up here too; only changes to what we wrote matter.
            if (
              previous &&
              !deleted &&
              !STATUS_MATTERS.has(obj.kind ?? '') &&
              isDeepStrictEqual(withoutStatus(previous), withoutStatus(obj))
            )
              return;
            const labels = obj.metadata?.labels ?? {};
            const name = labels[PIPELINE_LABEL];
            const ns = labels[PIPELINE_NAMESPACE_LABEL];
            if (name && ns) enqueue(`${ns}/${name}`);
          },
        }),
    );
  }

  start(): void {
    this.pipelines.start();
    for (const informer of this.children) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.pipelines.stop(), ...this.children.map((c) => c.stop())]);
  }

  /** The object as the watch cache sees it: null when known absent, undefined when not watched or synced. */
  observed(ref: Applyable): KubeObject | null | undefined {
    const informer = this.children.find((c) => c.kind === ref.kind && c.apiVersion === ref.apiVersion);
    if (!informer?.hasSynced) return undefined;
    return informer.get(`${ref.metadata?.namespace ?? ''}/${ref.metadata?.name ?? ''}`) ?? null;
  }
}

function withoutStatus(obj: KubeObject): unknown {
  const { status: _s, metadata, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: _r, managedFields: _m, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

function specOrMetaChanged(previous: SpotifyPipeline, next: SpotifyPipeline): boolean {
  return (
    previous.metadata.generation !== next.metadata.generation ||
    !isDeepStrictEqual(previous.metadata.annotations, next.metadata.annotations) ||
    previous.metadata.deletionTimestamp !== next.metadata.deletionTimestamp ||
    !isDeepStrictEqual(previous.metadata.finalizers, next.metadata.finalizers)
  );
}
