import { names, strimziNamespace } from '../builders/context.js';
import { STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { PipelineStatus, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type CapacityPlan, planCapacity, planInputFromSpec } from '../plan/capacity-plan.js';
import { getCondition, Reasons, setCondition, setReady } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { addFinalizer, FINALIZER, finalize } from './finalizer.js';
import { brokersStep } from './pipeline-brokers.js';
import { lakeStep } from './pipeline-lake.js';
import { scheduleStep } from './pipeline-schedule.js';
import { topicsStep } from './pipeline-topics.js';
import { workloadsStep } from './pipeline-workloads.js';
import {
  type ReconcileStep,
  runStep,
  type StepContext,
  type StepOutcome,
  type StepRunOptions,
} from './step.js';

export const PAUSE_ANNOTATION = 'pipeline.spotify-pipeline.io/paused';

/** The steps of a pass, in the order their conditions are reported. */
export const PIPELINE_STEPS: readonly ReconcileStep[] = [
  topicsStep,
  brokersStep,
  lakeStep,
  workloadsStep,
  scheduleStep,
];

export interface PassOptions {
  steps: readonly ReconcileStep[];
  stepRun: StepRunOptions;
  /** A pipeline that is not Ready is looked at again after this long (its dependencies may have come). */
  notReadyRequeueMs: number;
}

export interface PassResult {
  /** The status to write; null when there is none to write (the pipeline is gone or finalized). */
  status: PipelineStatus | null;
  /** Look again with backoff, after a delay, or only on events and resync (null). */
  requeue: 'backoff' | number | null;
  /** A problem worth a Warning event (deletion blocked). */
  warning?: { reason: string; message: string };
}

/**
 * One pass over one pipeline, as CloudNativePG's reconcile: paused and deleted pipelines first, then the
 * plan, then every step. The steps touch disjoint objects and status fields, so they run side by side
 * and a pass costs the slowest step rather than their sum; each returns its outcome, a failing step
 * becomes its own condition while the others still report, and the status is assembled once.
 */
export async function reconcilePipeline(
  deps: ReconcileDeps,
  pipeline: SpotifyPipeline,
  options: PassOptions,
): Promise<PassResult> {
  const key = `${pipeline.metadata.namespace}/${pipeline.metadata.name}`;
  const gen = pipeline.metadata.generation;
  const previous: PipelineStatus = pipeline.status ?? {};
  const status: PipelineStatus = structuredClone(previous);
  if (pipeline.metadata.annotations?.[PAUSE_ANNOTATION] === 'true') {
    setCondition(
      status,
      'Ready',
      false,
      Reasons.Paused,
      `Reconciliation is paused by the annotation ${PAUSE_ANNOTATION}: "true"; the other conditions are as last observed. Remove the annotation to resume.`,
      gen,
    );
    return { status, requeue: null };
  }
  const plan = planFor(deps, pipeline);
  const ctx: StepContext = { pipeline, plan, images: deps.images, key, previous };

  if (pipeline.metadata.deletionTimestamp) {
    if (!pipeline.metadata.finalizers?.includes(FINALIZER)) return { status: null, requeue: null };
    const done = await finalize(deps, ctx);
    if (done.state === 'done') return { status: null, requeue: null };
    if (done.state === 'pending') {
      setCondition(status, 'Ready', false, Reasons.Deleting, done.message, gen);
      return { status, requeue: options.notReadyRequeueMs };
    }
    setCondition(status, 'Ready', false, Reasons.DeletionBlocked, done.message, gen);
    return {
      status,
      requeue: 'backoff',
      warning: { reason: Reasons.DeletionBlocked, message: done.message },
    };
  }
  if (!pipeline.metadata.finalizers?.includes(FINALIZER)) await addFinalizer(deps, pipeline);

  const outcomes = await Promise.all(options.steps.map((step) => runStep(step, deps, ctx, options.stepRun)));
  for (const outcome of outcomes) mergeOutcome(status, outcome, gen);
  setReady(status, gen);
  const { explanation: _, ...planStatus } = plan;
  status.plan = planStatus;
  if (gen !== undefined) status.observedGeneration = gen;
  return { status, requeue: requeueOf(status, outcomes, options.notReadyRequeueMs) };
}

function mergeOutcome(status: PipelineStatus, outcome: StepOutcome, gen: number | undefined): void {
  Object.assign(status, outcome.status ?? {});
  for (const c of outcome.conditions) setCondition(status, c.type, c.ok, c.reason, c.message, gen);
}

function requeueOf(
  status: PipelineStatus,
  outcomes: StepOutcome[],
  notReadyMs: number,
): PassResult['requeue'] {
  if (outcomes.some((o) => o.retry)) return 'backoff';
  const asked = outcomes.flatMap((o) => (o.requeueAfterMs === undefined ? [] : [o.requeueAfterMs]));
  if (getCondition(status, 'Ready')?.status === 'True') return asked.length ? Math.min(...asked) : null;
  return Math.min(notReadyMs, ...asked);
}

/** The plan, never below the partitions that exist (in status, or the KafkaTopic as the watch cache sees it). */
function planFor(deps: ReconcileDeps, pipeline: SpotifyPipeline): CapacityPlan {
  const status = pipeline.status ?? {};
  const sameTopic = status.topic?.name === pipeline.spec.kafka.topic.name;
  const existing = Math.max(
    sameTopic ? (status.plan?.partitions ?? 0) : 0,
    sameTopic ? (status.topic?.partitions ?? 0) : 0,
    observedTopicPartitions(deps, pipeline),
  );
  return planCapacity(planInputFromSpec(pipeline.spec), existing);
}

function observedTopicPartitions(deps: ReconcileDeps, pipeline: SpotifyPipeline): number {
  if (pipeline.spec.kafka.mode !== 'strimzi') return 0;
  const topic = deps.observed?.({
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaTopic',
    metadata: { namespace: strimziNamespace(pipeline), name: names.kafkaTopic(pipeline) },
  }) as { spec?: { partitions?: number } } | null | undefined;
  return topic?.spec?.partitions ?? 0;
}
