import type { Condition, PipelineStatus } from '../crd/spotify-pipeline.js';

export const CONDITION_TYPES = ['TopicsReady', 'LakeReady', 'WorkloadsReady', 'ScheduleReady'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number] | 'Ready';

/** Reasons are constants (CamelCase, machine-readable); messages are for humans and say what to do. */
export const Reasons = {
  Reconciled: 'Reconciled',
  NotReady: 'DependenciesNotReady',
  Paused: 'ReconciliationPaused',
  TopicReady: 'TopicReady',
  TopicNotReady: 'TopicNotReady',
  StrimziNotInstalled: 'StrimziNotInstalled',
  KafkaNamespaceMissing: 'KafkaNamespaceMissing',
  BrokerPoolNotFound: 'BrokerPoolNotFound',
  RebalancePending: 'RebalancePending',
  KafkaUnreachable: 'KafkaUnreachable',
  KafkaSecretMissing: 'KafkaSecretMissing',
  BucketReady: 'BucketReady',
  LakeSecretMissing: 'LakeSecretMissing',
  LakeAccessDenied: 'LakeAccessDenied',
  LakeUnreachable: 'LakeUnreachable',
  DeploymentsAvailable: 'DeploymentsAvailable',
  DeploymentsNotAvailable: 'DeploymentsNotAvailable',
  KedaNotInstalled: 'KedaNotInstalled',
  InvalidWorkloadConfig: 'InvalidWorkloadConfig',
  ImportFailed: 'ImportFailed',
  Scheduled: 'Scheduled',
  DagPublished: 'DagPublished',
  NoWarehouse: 'NoWarehouse',
} as const;

export function getCondition(status: PipelineStatus, type: ConditionType): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition; lastTransitionTime moves only when the status value changes, so an unchanged world
 * gives an identical status and the write is skipped.
 */
export function setCondition(
  status: PipelineStatus,
  type: ConditionType,
  value: boolean,
  reason: string,
  message: string,
  generation: number | undefined,
  now: () => Date = () => new Date(),
): void {
  const conditions = status.conditions ?? [];
  const next: Condition = {
    type,
    status: value ? 'True' : 'False',
    reason,
    message,
    lastTransitionTime: now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
  };
  if (generation !== undefined) next.observedGeneration = generation;
  const index = conditions.findIndex((c) => c.type === type);
  const previous = conditions[index];
  if (previous && previous.status === next.status) next.lastTransitionTime = previous.lastTransitionTime;
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  status.conditions = conditions;
}

/** Ready is True exactly when every other condition is; its message names the ones that are not. */
export function setReady(status: PipelineStatus, generation: number | undefined, now?: () => Date): void {
  const notReady = CONDITION_TYPES.filter((t) => getCondition(status, t)?.status !== 'True');
  if (notReady.length === 0) {
    setCondition(
      status,
      'Ready',
      true,
      Reasons.Reconciled,
      'The pipeline matches its spec.',
      generation,
      now,
    );
  } else {
    const details = notReady.map((t) => `${t}: ${getCondition(status, t)?.message ?? 'not reconciled yet'}`);
    setCondition(status, 'Ready', false, Reasons.NotReady, details.join('; '), generation, now);
  }
}

/** Condition changes worth an Event: new conditions and status flips. */
export function transitions(before: PipelineStatus | undefined, after: PipelineStatus): Condition[] {
  return (after.conditions ?? []).filter((c) => {
    const old = before?.conditions?.find((o) => o.type === c.type);
    return !old || old.status !== c.status || old.reason !== c.reason;
  });
}
