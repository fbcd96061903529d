import { describe, expect, it } from 'vitest';
import { stepContext, testWorld } from '../../test/support/reconcile-world.js';
import { KubeApiError, KubeTimeoutError } from '../kube/api.js';
import { conditionOk } from './conditions.js';
import { type ReconcileStep, runStep, type StepRunOptions } from './step.js';

const step = (run: ReconcileStep['run']): ReconcileStep => ({ name: 'lake', condition: 'LakeReady', run });
const options = (timeoutMs = 50): StepRunOptions & { settled: string[] } => {
  const settled: string[] = [];
  return { timeoutMs, stragglers: new Map(), onStragglerSettled: (k) => settled.push(k), settled };
};

describe('runStep', () => {
  it('returns the outcome of a step that finishes', async () => {
    const { deps } = testWorld();
    const ok = step(async () => ({ conditions: [conditionOk('LakeReady', 'BucketReady', 'ok')] }));
    expect(await runStep(ok, deps, stepContext(), options())).toEqual({
      conditions: [{ type: 'LakeReady', ok: true, reason: 'BucketReady', message: 'ok' }],
    });
  });

  it('reports a request the API server refused with its own message, without retry', async () => {
    const { deps } = testWorld();
    const refused = step(async () => {
      throw new KubeApiError(
        422,
        {
          message:
            'CronJob.batch "x-transform" is invalid: metadata.name: must be no more than 52 characters',
        },
        'PATCH',
        '/apis/batch/v1/namespaces/music/cronjobs/x-transform',
      );
    });
    const outcome = await runStep(refused, deps, stepContext(), options());
    expect(outcome.retry).toBeUndefined();
    expect(outcome.conditions[0]).toMatchObject({
      type: 'LakeReady',
      ok: false,
      reason: 'ApiServerRejected',
    });
    expect(outcome.conditions[0]?.message).toContain('must be no more than 52 characters');
  });

  it('retries an API server that did not answer, and a step that threw anything else', async () => {
    const { deps } = testWorld();
    const slow = step(async () => {
      throw new KubeTimeoutError('GET', '/api/v1/secrets', 15_000);
    });
    expect(await runStep(slow, deps, stepContext(), options())).toMatchObject({
      retry: true,
      conditions: [{ reason: 'ApiServerUnavailable' }],
    });
    const broken = step(async () => {
      throw new TypeError('x is undefined');
    });
    const outcome = await runStep(broken, deps, stepContext(), options());
    expect(outcome).toMatchObject({ retry: true, conditions: [{ ok: false, reason: 'StepFailed' }] });
    expect(outcome.conditions[0]?.message).toContain('x is undefined');
  });

  it('reports a step that hangs after its deadline, never runs it twice, and says when it ends', async () => {
    const { deps } = testWorld();
    let release: () => void = () => {};
    let runs = 0;
    const hanging = step(() => {
      runs++;
      return new Promise((resolve) => {
        release = () => resolve({ conditions: [] });
      });
    });
    const opts = options(30);
    const first = await runStep(hanging, deps, stepContext(), opts);
    expect(first).toMatchObject({ retry: true, conditions: [{ ok: false, reason: 'StepTimedOut' }] });
    expect(first.conditions[0]?.message).toContain('did not finish within 0.03s');
    const second = await runStep(hanging, deps, stepContext(), opts);
    expect(second.conditions[0]?.message).toContain('still running');
    expect(runs).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(opts.settled).toEqual(['music/wrapped']);
    expect(opts.stragglers.size).toBe(0);
  });
});
