import type { Condition, PipelineStatus } from '../crd/spotify-pipeline.js';

/** The conditions of a pass (the plan's, then each step's), in the order `Ready` reports them. */
const CONDITION_TYPES = [
  'CapacityPlanned',
  'TopicsReady',
  'BrokersReady',
  'LakeReady',
  'WorkloadsReady',
  'ScheduleReady',
] as const;
export type StepConditionType = (typeof CONDITION_TYPES)[number];
export type ConditionType = StepConditionType | 'Ready';

/** Reasons are constants (CamelCase, machine-readable); messages are for humans and say what to do. */
export const Reasons = {
  Reconciled: 'Reconciled',
  PlanWithinLimits: 'PlanWithinLimits',
  PlanCapped: 'PlanCapped',
  Paused: 'ReconciliationPaused',
  Deleting: 'Deleting',
  DeletionBlocked: 'DeletionBlocked',
  ApiServerRejected: 'ApiServerRejected',
  ApiServerUnavailable: 'ApiServerUnavailable',
  StepFailed: 'StepFailed',
  StepTimedOut: 'StepTimedOut',
  TopicReady: 'TopicReady',
  TopicClaimed: 'TopicClaimed',
  LakePrefixClaimed: 'LakePrefixClaimed',
  BucketMissing: 'BucketMissing',
  BlockedByClaim: 'BlockedByClaim',
  TopicNotReady: 'TopicNotReady',
  StrimziNotInstalled: 'StrimziNotInstalled',
  KafkaNamespaceMissing: 'KafkaNamespaceMissing',
  KafkaUnreachable: 'KafkaUnreachable',
  KafkaSecretMissing: 'KafkaSecretMissing',
  BrokersSized: 'BrokersSized',
  BrokersNotManaged: 'BrokersNotManaged',
  BrokerPoolNotFound: 'BrokerPoolNotFound',
  RebalancePending: 'RebalancePending',
  RebalanceFailed: 'RebalanceFailed',
  BucketReady: 'BucketReady',
  LakeSecretMissing: 'LakeSecretMissing',
  LakeAccessDenied: 'LakeAccessDenied',
  LakeUnreachable: 'LakeUnreachable',
  LakeCheckPending: 'LakeCheckPending',
  TopicCheckPending: 'TopicCheckPending',
  DeploymentsAvailable: 'DeploymentsAvailable',
  DeploymentsNotAvailable: 'DeploymentsNotAvailable',
  KedaNotInstalled: 'KedaNotInstalled',
  InvalidWorkloadConfig: 'InvalidWorkloadConfig',
  SecretMissing: 'SecretMissing',
  KafkaCredentialsMissing: 'KafkaCredentialsMissing',
  InvalidSchedule: 'InvalidSchedule',
  ImportFailed: 'ImportFailed',
  SourceNotReady: 'SourceNotReady',
  Scheduled: 'Scheduled',
  DagPublished: 'DagPublished',
  NoWarehouse: 'NoWarehouse',
} as const;

/** A condition as a step reports it; the status writer adds times and the generation. */
export interface ConditionReport {
  type: StepConditionType;
  ok: boolean;
  reason: string;
  message: string;
}

export const conditionOk = (type: StepConditionType, reason: string, message: string): ConditionReport => ({
  type,
  ok: true,
  reason,
  message,
});

export const conditionFailed = (
  type: StepConditionType,
  reason: string,
  message: string,
): ConditionReport => ({ type, ok: false, reason, message });

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

/**
 * Ready is True exactly when every step's condition is. Otherwise its reason is the first failing
 * condition's (what `kubectl get spl` shows in the Reason column) and its message names every one.
 */
export function setReady(status: PipelineStatus, generation: number | undefined, now?: () => Date): void {
  const notReady = CONDITION_TYPES.map((t) => ({ type: t, condition: getCondition(status, t) })).filter(
    ({ condition }) => condition?.status !== 'True',
  );
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
    return;
  }
  const details = notReady.map(
    ({ type, condition }) => `${type}: ${condition?.message ?? 'not reconciled yet'}`,
  );
  const reason = notReady[0]?.condition?.reason ?? 'NotReconciled';
  setCondition(status, 'Ready', false, reason, details.join('; '), generation, now);
}

/** Condition changes worth an Event: new conditions and changes of status or reason. */
export function transitions(before: PipelineStatus | undefined, after: PipelineStatus): Condition[] {
  return (after.conditions ?? []).filter((c) => {
    const old = before?.conditions?.find((o) => o.type === c.type);
    return !old || old.status !== c.status || old.reason !== c.reason;
  });
}
