import { strimziNamespace } from '../builders/context.js';
import { kafkaTopicResourceName, STRIMZI_API_VERSION } from '../builders/kafka-topic.js';
import type { PipelineStatus, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { type CapacityPlan, fmt, planPipeline } from '../plan/capacity-plan.js';
import { type ClaimView, holderOf, recordedClaims, resolveClaims, withSelf } from './claims.js';
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
  /** The pipeline is finalized: what was deleted and what was kept (for its Event). */
  finalized?: string;
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
  const pipelines = deps.pipelines();
  const claims = resolveClaims(pipeline, pipelines);
  const ctx: StepContext = { pipeline, plan, images: deps.images, key, previous, claims, secrets: new Map() };

  if (pipeline.metadata.deletionTimestamp) {
    if (!pipeline.metadata.finalizers?.includes(FINALIZER)) return { status: null, requeue: null };
    const done = await finalize(deps, ctx);
    if (done.state === 'done') return { status: null, requeue: null, finalized: done.message };
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
  setPlanCondition(status, plan, gen);
  for (const outcome of outcomes) mergeOutcome(status, outcome, gen);
  setReady(status, gen);
  status.plan = {
    partitions: plan.partitions,
    brokers: plan.brokers,
    lakeWriters: plan.lakeWriters,
    peakEventsPerSecond: plan.peakEventsPerSecond,
  };
  status.claims = heldClaims(pipeline, pipelines, claims, outcomes);
  if (gen !== undefined) status.observedGeneration = gen;
  return { status, requeue: requeueOf(status, outcomes, options.notReadyRequeueMs) };
}

/** CapacityPlanned: the plan is what the numbers ask for, or which ceiling cut it and why. */
function setPlanCondition(status: PipelineStatus, plan: CapacityPlan, gen: number | undefined): void {
  if (plan.capped.length > 0) {
    setCondition(
      status,
      'CapacityPlanned',
      false,
      Reasons.PlanCapped,
      `The plan hit a ceiling: ${plan.capped.join('; ')}.`,
      gen,
    );
    return;
  }
  setCondition(
    status,
    'CapacityPlanned',
    true,
    Reasons.PlanWithinLimits,
    `${plan.partitions} partitions, ${plan.brokers ? `${plan.brokers} brokers, ` : ''}${plan.lakeWriters.min}-${plan.lakeWriters.max} lake writers for a peak of ${fmt(plan.peakEventsPerSecond)} events/s.`,
    gen,
  );
}

/**
 * The claims to record: the ones held now, and the recorded ones this pipeline still holds (a former
 * topic until its cleanup is done, a former lake prefix until the pipeline is deleted), less the ones a
 * step let go of. Kept by default, so a step that failed never drops a claim.
 */
function heldClaims(
  pipeline: SpotifyPipeline,
  pipelines: readonly SpotifyPipeline[],
  claims: ClaimView,
  outcomes: StepOutcome[],
): string[] {
  const released = new Set(outcomes.flatMap((o) => o.releasedClaims ?? []));
  const all = withSelf(pipeline, pipelines);
  const mine = (id: string) => holderOf(id, all)?.metadata.uid === pipeline.metadata.uid;
  const kept = recordedClaims(pipeline).filter((id) => !released.has(id) && mine(id));
  return [...new Set([...claims.held.map((c) => c.id), ...kept])].sort();
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
  return planPipeline(pipeline.spec, existing);
}

function observedTopicPartitions(deps: ReconcileDeps, pipeline: SpotifyPipeline): number {
  if (pipeline.spec.kafka.mode !== 'strimzi') return 0;
  const topic = deps.observed?.({
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaTopic',
    metadata: {
      namespace: strimziNamespace(pipeline),
      name: kafkaTopicResourceName(pipeline.spec.kafka.topic.name),
    },
  }) as { spec?: { partitions?: number } } | null | undefined;
  return topic?.spec?.partitions ?? 0;
}
