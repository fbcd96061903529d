import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../kube/api.js';
import { workloadsStep } from './pipeline-workloads.js';
import { runStep } from './step.js';
import { stepContext, testWorld } from './test-deps.js';

const deploymentRef = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'music',
  name,
});

describe('workloads step', () => {
  it('applies sources, lake writer and autoscaler, and waits for the Deployments', async () => {
    const { kube, deps } = testWorld();
    const ctx = stepContext({ lakeWriter: { autoscaler: 'hpa' } });
    const outcome = await workloadsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'DeploymentsNotAvailable' });
    expect(outcome.status?.lakeWriters).toBe(`${ctx.plan.lakeWriters.min}-${ctx.plan.lakeWriters.max}`);
    expect(
      kube
        .all('apps/v1', 'Deployment')
        .map((c) => c.metadata?.name)
        .sort(),
    ).toEqual(['wrapped-lake-writer', 'wrapped-source-0']);
    expect(kube.all('autoscaling/v2', 'HorizontalPodAutoscaler')).toHaveLength(1);
    for (const name of ['wrapped-lake-writer', 'wrapped-source-0']) {
      const d = kube.peek(deploymentRef(name));
      kube.put({
        ...d,
        status: { observedGeneration: d?.metadata?.generation, availableReplicas: 1, updatedReplicas: 1 },
      });
    }
    expect((await workloadsStep.run(deps, ctx)).conditions[0]).toMatchObject({
      ok: true,
      reason: 'DeploymentsAvailable',
    });
  });

  it('says to install KEDA when the ScaledObject kind is not served', async () => {
    const { kube, deps } = testWorld();
    kube.unserve('keda.sh/v1alpha1', 'ScaledObject');
    const outcome = await workloadsStep.run(deps, stepContext({ lakeWriter: { autoscaler: 'keda' } }));
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'KedaNotInstalled' });
  });

  it('applies every other child when the API server refuses one, and reports the refusal', async () => {
    const { kube, deps } = testWorld();
    kube.intercept = (call) => {
      if (call.verb === 'apply' && call.name === 'wrapped-source-0')
        throw new KubeApiError(
          422,
          { message: 'Deployment.apps "wrapped-source-0" is invalid' },
          'PATCH',
          'x',
        );
    };
    const outcome = await runStep(workloadsStep, deps, stepContext(), {
      timeoutMs: 1000,
      stragglers: new Map(),
    });
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'ApiServerRejected' });
    expect(outcome.conditions[0]?.message).toContain('wrapped-source-0" is invalid');
    expect(kube.peek(deploymentRef('wrapped-lake-writer'))).toBeDefined();
    expect(
      kube.peek({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        namespace: 'music',
        name: 'wrapped-lake-writer',
      }),
    ).toBeDefined();
  });
});
