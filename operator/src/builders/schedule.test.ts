import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { loaderEnv } from './loader-env.js';
import { loaderRefusal } from './refusals.js';
import { buildAirflowDagConfigMap, buildLoadCronJob, buildTransformCronJob } from './schedule.js';

describe('schedule', () => {
  it('builds load and transform CronJobs: Forbid, history limits, suspend', () => {
    const ctx = testContext({ schedule: { suspend: true } });
    expect(buildLoadCronJob(ctx)?.spec).toMatchObject({
      schedule: '*/15 * * * *',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: true,
    });
    expect(buildTransformCronJob(ctx)?.spec).toMatchObject({ schedule: '5 * * * *' });
    // the loader's CLI commands: load, and batch (load then dbt build)
    expect(JSON.stringify(buildLoadCronJob(ctx))).toContain('"args":["load"]');
    expect(JSON.stringify(buildTransformCronJob(ctx))).toContain('"args":["batch"]');
    expect(JSON.stringify(buildLoadCronJob(ctx))).toContain(
      '{"name":"SNOWFLAKE_PASSWORD","valueFrom":{"secretKeyRef":{"name":"snowflake-creds","key":"SNOWFLAKE_PASSWORD","optional":true}}}',
    );
    // key-pair sign-in from the same Secret, when it holds a key
    expect(JSON.stringify(buildLoadCronJob(ctx))).toContain(
      '{"name":"SNOWFLAKE_PRIVATE_KEY","valueFrom":{"secretKeyRef":{"name":"snowflake-creds","key":"SNOWFLAKE_PRIVATE_KEY","optional":true}}}',
    );
    expect(buildAirflowDagConfigMap(ctx)).toBeNull();
  });

  it('airflow: a DAG ConfigMap instead of CronJobs, with no credential values in it', () => {
    const ctx = testContext({ schedule: { orchestrator: 'airflow' } });
    expect(buildLoadCronJob(ctx)).toBeNull();
    const cm = buildAirflowDagConfigMap(ctx);
    const dag = (cm?.data as Record<string, string> | undefined)?.['wrapped_dag.py'];
    expect(dag).toContain('KubernetesPodOperator');
    expect(dag).toContain('load >> transform');
    expect(dag).toContain('schedule="*/15 * * * *"');
    expect(dag).toContain(
      'k8s.V1EnvVar(name="LAKE_ACCESS_KEY", value_from=k8s.V1EnvVarSource(secret_key_ref=k8s.V1SecretKeySelector(name="lake-creds", key="LAKE_ACCESS_KEY")))',
    );
    expect(dag).toContain('k8s.V1EnvVar(name="WAREHOUSE", value="snowflake")');
    expect(dag).not.toMatch(/SNOWFLAKE_PASSWORD", value=/);
  });

  it('nothing to schedule without a warehouse', () => {
    const ctx = testContext({ warehouse: undefined });
    expect(buildLoadCronJob(ctx)).toBeNull();
    expect(
      buildAirflowDagConfigMap(testContext({ warehouse: undefined, schedule: { orchestrator: 'airflow' } })),
    ).toBeNull();
  });

  it("loads the pipeline's own events topic into listening_events, and its own catalog topics", () => {
    const topic = (name: string) => ({ kafka: { strimzi: { cluster: 'events' }, topic: { name } } });
    const ctx = testContext(topic('team-a.plays'));
    expect(loaderEnv(ctx).values).toMatchObject({
      LOADER_EVENTS_TOPIC: 'team-a.plays',
      LOADER_TOPICS:
        'team-a.plays,team-a.plays.catalog.artists,team-a.plays.catalog.albums,team-a.plays.catalog.tracks',
    });
    expect(loaderRefusal(ctx)).toBeNull();
    // A catalog topic's name for the events: the loader would refuse it, so the jobs are withheld with why.
    expect(loaderRefusal(testContext(topic('catalog.tracks')))).toMatch(
      /LOADER_EVENTS_TOPIC: must not be a catalog topic/,
    );
  });
});
