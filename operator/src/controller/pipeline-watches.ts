import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '@spotify-pipeline/shared';
import { MANAGED_BY, PIPELINE_LABEL, PIPELINE_NAMESPACE_LABEL } from '../builders/context.js';
import { STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { Applyable, KubeApi, KubeObject } from '../kube/api.js';
import { PIPELINE_REF } from '../kube/resources.js';
import { brokerPoolKey } from '../plan/broker-pool.js';
import { keyOf } from './informer.js';
import { type WatchCache, watchCache } from './watch-cache.js';

/** Kinds whose changes (made by anyone) requeue the owning pipeline. */
const WATCHED_CHILDREN = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication' },
  { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaTopic' },
  { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaRebalance' },
  { apiVersion: STRIMZI_API_VERSION, kind: 'KafkaUser' },
] as const;

/**
 * Status of these kinds feeds our conditions and status (Strimzi readiness: a KafkaUser turns Ready once its
 * credentials Secret is written; Deployment availability, import
 * Jobs, the DuckDB volume's phase, the lake writers' scaling: KEDA's HPA carries the ScaledObject's labels, so it is watched too).
 */
const STATUS_MATTERS = new Set([
  'Deployment',
  'Job',
  'KafkaTopic',
  'KafkaRebalance',
  'KafkaUser',
  'HorizontalPodAutoscaler',
  // the DuckDB volume's phase is status.warehouse.volumePhase
  'PersistentVolumeClaim',
]);

export interface PipelineWatchesOptions {
  client: KubeApi;
  logger: Logger;
  /** Puts a pipeline key on the work queue. */
  enqueue: (key: string) => void;
  /** Wait before listing again a kind the API server does not serve (its CRD is not installed yet). */
  missingKindRetryMs?: number;
  /** Watch only these namespaces (empty: the whole cluster). */
  namespaces?: readonly string[];
}

/**
 * The watch caches of one controller: every SpotifyPipeline, and every child kind the operator writes
 * (label-selected on managed-by). Watch events only enqueue pipeline keys; reconciles read the caches.
 */
export class PipelineWatches {
  readonly pipelines: WatchCache<SpotifyPipeline>;
  private readonly children: WatchCache<KubeObject>[];

  constructor(options: PipelineWatchesOptions) {
    const { client, logger, enqueue } = options;
    const namespaces = options.namespaces ?? [];
    this.pipelines = watchCache<SpotifyPipeline>(
      {
        client,
        resource: PIPELINE_REF,
        logger,
        onChange: (obj, deleted, previous) => {
          if (!(deleted || !previous || specOrMetaChanged(previous, obj))) return;
          enqueue(keyOf(obj));
          // A shared broker pool is sized from all its pipelines: the others (its owner) look again.
          const pools = new Set([obj, previous].map((p) => (p ? brokerPoolKey(p) : null)).filter(Boolean));
          if (pools.size === 0) return;
          for (const other of this.pipelines.list())
            if (keyOf(other) !== keyOf(obj) && pools.has(brokerPoolKey(other))) enqueue(keyOf(other));
        },
      },
      namespaces,
    );
    this.children = WATCHED_CHILDREN.map((resource) =>
      watchCache<KubeObject>(
        {
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
        },
        namespaces,
      ),
    );
  }

  start(): void {
    this.pipelines.start();
    for (const informer of this.children) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.pipelines.stop(), ...this.children.map((c) => c.stop())]);
  }

  /** Objects of a kind labelled with the pipeline; undefined when the kind is not watched or not synced. */
  owned(apiVersion: string, kind: string, pipeline: SpotifyPipeline): KubeObject[] | undefined {
    const informer = this.children.find((c) => c.kind === kind && c.apiVersion === apiVersion);
    if (!informer?.hasSynced) return undefined;
    return informer.list().filter((o) => {
      const labels = o.metadata?.labels ?? {};
      return (
        labels[PIPELINE_LABEL] === pipeline.metadata.name &&
        labels[PIPELINE_NAMESPACE_LABEL] === pipeline.metadata.namespace
      );
    });
  }

  /** The object as the watch cache sees it: null when known absent, undefined when not watched or synced. */
  observed(ref: Applyable): KubeObject | null | undefined {
    const informer = this.children.find((c) => c.kind === ref.kind && c.apiVersion === ref.apiVersion);
    const namespace = ref.metadata?.namespace ?? '';
    if (!informer?.hasSynced || !informer.covers(namespace)) return undefined;
    return informer.get(`${namespace}/${ref.metadata?.name ?? ''}`) ?? null;
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
