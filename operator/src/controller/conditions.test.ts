import { describe, expect, it } from 'vitest';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { getCondition, Reasons, setCondition, setReady, transitions } from './conditions.js';

const at = (iso: string) => () => new Date(iso);

describe('conditions', () => {
  it('moves lastTransitionTime only when the status flips', () => {
    const status: PipelineStatus = {};
    setCondition(
      status,
      'LakeReady',
      false,
      Reasons.LakeSecretMissing,
      'create it',
      1,
      at('2026-01-01T00:00:00Z'),
    );
    setCondition(status, 'LakeReady', false, Reasons.LakeUnreachable, 'down', 2, at('2026-01-01T00:05:00Z'));
    expect(getCondition(status, 'LakeReady')).toMatchObject({
      reason: 'LakeUnreachable',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      observedGeneration: 2,
    });
    setCondition(status, 'LakeReady', true, Reasons.BucketReady, 'ok', 2, at('2026-01-01T00:10:00Z'));
    expect(getCondition(status, 'LakeReady')?.lastTransitionTime).toBe('2026-01-01T00:10:00Z');
    expect(status.conditions).toHaveLength(1);
  });

  it('Ready is True only when all are; its reason is the first failing one and it names them all', () => {
    const status: PipelineStatus = {};
    for (const t of ['CapacityPlanned', 'TopicsReady', 'LakeReady', 'WorkloadsReady'] as const)
      setCondition(status, t, true, 'R', 'ok', 1);
    setCondition(status, 'ScheduleReady', false, 'InvalidSchedule', 'no cron', 1);
    setReady(status, 1);
    expect(getCondition(status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NotReconciled',
      message: 'BrokersReady: not reconciled yet; ScheduleReady: no cron',
    });
    setCondition(status, 'BrokersReady', true, 'R', 'ok', 1);
    setReady(status, 1);
    expect(getCondition(status, 'Ready')).toMatchObject({ reason: 'InvalidSchedule' });
    setCondition(status, 'ScheduleReady', true, 'R', 'ok', 1);
    setReady(status, 1);
    expect(getCondition(status, 'Ready')?.status).toBe('True');
  });

  it('reports transitions for events', () => {
    const before: PipelineStatus = {};
    setCondition(before, 'LakeReady', false, 'A', 'x', 1);
    const after = structuredClone(before);
    expect(transitions(before, after)).toEqual([]);
    setCondition(after, 'LakeReady', true, 'B', 'y', 1);
    expect(transitions(before, after).map((c) => c.type)).toEqual(['LakeReady']);
  });
});
