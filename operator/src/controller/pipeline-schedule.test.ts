import { describe, expect, it } from 'vitest';
import { scheduleStep } from './pipeline-schedule.js';
import { stepContext, testWorld } from './test-deps.js';

describe('schedule step', () => {
  it('applies load and transform CronJobs', async () => {
    const { kube, deps } = testWorld();
    const outcome = await scheduleStep.run(deps, stepContext());
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'Scheduled' });
    expect(
      kube
        .all('batch/v1', 'CronJob')
        .map((c) => c.metadata?.name)
        .sort(),
    ).toEqual(['wrapped-load', 'wrapped-transform']);
  });

  it('publishes an Airflow DAG instead, and removes the CronJobs', async () => {
    const { kube, deps } = testWorld();
    await scheduleStep.run(deps, stepContext());
    const outcome = await scheduleStep.run(deps, stepContext({ schedule: { orchestrator: 'airflow' } }));
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'DagPublished' });
    expect(kube.all('batch/v1', 'CronJob')).toEqual([]);
    expect(kube.all('v1', 'ConfigMap').map((c) => c.metadata?.name)).toEqual(['wrapped-airflow-dag']);
  });

  it('has nothing to schedule without a warehouse', async () => {
    const { kube, deps } = testWorld();
    const outcome = await scheduleStep.run(deps, stepContext({ warehouse: undefined }));
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'NoWarehouse' });
    expect(kube.all('batch/v1', 'CronJob')).toEqual([]);
  });
});
