import { describe, expect, it } from 'vitest';
import { putPipelineSecrets, stepContext, testWorld } from '../../test/support/reconcile-world.js';
import { scheduleStep } from './pipeline-schedule.js';

describe('schedule step', () => {
  it('applies load and transform CronJobs', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
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
    await putPipelineSecrets(kube);
    await scheduleStep.run(deps, stepContext());
    const outcome = await scheduleStep.run(deps, stepContext({ schedule: { orchestrator: 'airflow' } }));
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'DagPublished' });
    expect(kube.all('batch/v1', 'CronJob')).toEqual([]);
    expect(kube.all('v1', 'ConfigMap').map((c) => c.metadata?.name)).toEqual(['wrapped-airflow-dag']);
  });

  it('with DuckDB: claims its volume, runs one writer job and says single node, single writer', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
    await scheduleStep.run(deps, stepContext());
    const outcome = await scheduleStep.run(deps, stepContext({ warehouse: { type: 'duckdb' } }));
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'Scheduled' });
    expect(outcome.conditions[0]?.message).toMatch(/Load and transform run as one job "5 \* \* \* \*"/);
    expect(outcome.conditions[0]?.message).toMatch(/single-node .* single-writer/);
    expect(outcome.status?.warehouse).toMatchObject({
      type: 'duckdb',
      volume: 'wrapped-duckdb',
      topology: 'SingleNode,SingleWriter',
    });
    // The load CronJob of the earlier spec is gone: it would be a second writer.
    expect(kube.all('batch/v1', 'CronJob').map((c) => c.metadata?.name)).toEqual(['wrapped-transform']);
    expect(kube.all('v1', 'PersistentVolumeClaim').map((c) => c.metadata?.name)).toEqual(['wrapped-duckdb']);
    // Switched to Snowflake, the claim stays (its file may hold loads the lake has expired).
    const back = await scheduleStep.run(deps, stepContext());
    expect(back.status?.warehouse).toEqual({ type: 'snowflake' });
    expect(kube.all('v1', 'PersistentVolumeClaim')).toHaveLength(1);
  });

  it('has nothing to schedule without a warehouse', async () => {
    const { kube, deps } = testWorld();
    const outcome = await scheduleStep.run(deps, stepContext({ warehouse: undefined }));
    expect(outcome.conditions[0]).toMatchObject({ ok: true, reason: 'NoWarehouse' });
    expect(kube.all('batch/v1', 'CronJob')).toEqual([]);
  });

  it.each([
    [
      'cronjob',
      '30-10 * * * *',
      'the minute range 30-10 runs backwards (Kubernetes refuses it',
      /two ranges/,
    ],
    ['cronjob', '0 0 31 4 *', 'no CronJob would run it', /never runs/],
    ['airflow', '0 0 30 2 *', 'Airflow finds no next run for it', /never runs/],
  ] as const)(
    'withholds a %s schedule that cannot run (%s), naming the field',
    async (orchestrator, load, who, why) => {
      const { kube, deps } = testWorld();
      await putPipelineSecrets(kube);
      const outcome = await scheduleStep.run(deps, stepContext({ schedule: { orchestrator, load } }));
      expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'InvalidSchedule' });
      expect(outcome.conditions[0]?.message).toContain('spec.schedule.load');
      expect(outcome.conditions[0]?.message).toContain(who);
      expect(outcome.conditions[0]?.message).toMatch(why);
      expect(kube.all('batch/v1', 'CronJob')).toEqual([]);
      expect(kube.all('v1', 'ConfigMap')).toEqual([]);
    },
  );

  it('checks only the load schedule with Airflow: the DAG runs transform after load, on that schedule', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
    const unused = { orchestrator: 'airflow', load: '0 * * * *', transform: '0 0 30 2 *' };
    const airflow = await scheduleStep.run(deps, stepContext({ schedule: unused }));
    expect(airflow.conditions[0]).toMatchObject({ ok: true, reason: 'DagPublished' });
    const cronjob = await scheduleStep.run(
      deps,
      stepContext({ schedule: { ...unused, orchestrator: 'cronjob' } }),
    );
    expect(cronjob.conditions[0]?.message).toContain('spec.schedule.transform');
  });

  it('names the warehouse Secret the loader needs when it is missing or lacks a key', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
    await kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'music', name: 'snowflake-creds' });
    const missing = await scheduleStep.run(deps, stepContext());
    expect(missing.conditions[0]).toMatchObject({ ok: false, reason: 'SecretMissing' });
    expect(missing.conditions[0]?.message).toContain(
      'Secret snowflake-creds (spec.warehouse.credentialsSecret), which does not exist',
    );
  });
});
