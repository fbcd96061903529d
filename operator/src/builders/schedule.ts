import { type BuildContext, type ChildObject, childMeta, names } from './context.js';
import { duckDbPodParts, usesDuckDbVolume } from './duckdb-volume.js';
import { loaderEnv } from './loader-env.js';
import { containerSecurityContext, podSecurityContext, tmpMount, tmpVolume } from './pod-security.js';
import { containerEnv, type SecretEnv } from './workload-env.js';

type Job = 'load' | 'transform';

function jobContainer(ctx: BuildContext, job: Job) {
  const duckdb = usesDuckDbVolume(ctx) ? duckDbPodParts(ctx, 'write') : null;
  return {
    name: job,
    image: job === 'load' ? ctx.images.loader : ctx.images.transformer,
    // The loader's CLI: `load` copies new lake objects into bronze; `batch` loads, then runs `dbt build`.
    args: [job === 'load' ? 'load' : 'batch'],
    env: containerEnv(loaderEnv(ctx)),
    securityContext: containerSecurityContext,
    volumeMounts: duckdb ? [tmpMount, duckdb.mount] : [tmpMount],
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  };
}

/**
 * DuckDB takes one writer at a time, so with DuckDB there is no separate load job: the transform job loads,
 * builds gold and publishes the snapshot in turn (`batch`), on the transform schedule.
 */
const runsAlone = (ctx: BuildContext, job: Job) => job === 'load' && usesDuckDbVolume(ctx);

function buildCronJob(ctx: BuildContext, job: Job): ChildObject | null {
  const { pipeline } = ctx;
  const { schedule, warehouse } = pipeline.spec;
  if (schedule.orchestrator !== 'cronjob' || !warehouse || runsAlone(ctx, job)) return null;
  const duckdb = usesDuckDbVolume(ctx) ? duckDbPodParts(ctx, 'write') : null;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: childMeta(pipeline, job === 'load' ? names.load(pipeline) : names.transform(pipeline), job),
    spec: {
      schedule: job === 'load' ? schedule.load : schedule.transform,
      timeZone: 'Etc/UTC',
      suspend: schedule.suspend,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels: childMeta(pipeline, '', job).labels },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: podSecurityContext,
              volumes: duckdb ? [tmpVolume, duckdb.volume] : [tmpVolume],
              ...(duckdb ? { affinity: duckdb.affinity } : {}),
              containers: [jobContainer(ctx, job)],
            },
          },
        },
      },
    },
  };
}

export const buildLoadCronJob = (ctx: BuildContext) => buildCronJob(ctx, 'load');
export const buildTransformCronJob = (ctx: BuildContext) => buildCronJob(ctx, 'transform');

const py = (value: unknown) => JSON.stringify(value);

/** The DAG file Airflow's git-sync/ConfigMap mount picks up: load then transform, as pods. */
function renderAirflowDag(ctx: BuildContext): string {
  const { pipeline } = ctx;
  const { schedule } = pipeline.spec;
  const dagId = `spotify_pipeline__${pipeline.metadata.namespace}__${pipeline.metadata.name}`.replace(
    /[^A-Za-z0-9_]/g,
    '_',
  );
  const env = loaderEnv(ctx);
  const envVars = [
    ...Object.entries(env.values).map(
      ([name, value]) => `k8s.V1EnvVar(name=${py(name)}, value=${py(value)})`,
    ),
    ...env.secrets.map((s: SecretEnv) => {
      const selector = `k8s.V1SecretKeySelector(name=${py(s.secret)}, key=${py(s.key)}${s.optional ? ', optional=True' : ''})`;
      return `k8s.V1EnvVar(name=${py(s.name)}, value_from=k8s.V1EnvVarSource(secret_key_ref=${selector}))`;
    }),
  ];
  // With DuckDB both tasks write the file on its volume (one after the other: load >> transform, one run
  // at a time), labelled as the transform job so the insights pod's node affinity finds them.
  const duckdb = usesDuckDbVolume(ctx) ? duckDbPodParts(ctx, 'write') : null;
  const duckdbArgs = duckdb
    ? `
        volumes=[k8s.V1Volume(name=${py(duckdb.volume.name)}, persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=${py(duckdb.volume.persistentVolumeClaim.claimName)}))],
        volume_mounts=[k8s.V1VolumeMount(name=${py(duckdb.mount.name)}, mount_path=${py(duckdb.mount.mountPath)})],
        labels=${py(childMeta(pipeline, '', 'transform').labels)},
        affinity=${py(duckdb.affinity)},`
    : '';
  const task = (job: Job) => {
    const c = jobContainer(ctx, job);
    return `    ${job} = KubernetesPodOperator(
        task_id=${py(job)},
        name=${py(`${pipeline.metadata.name}-${job}`)},
        namespace=${py(pipeline.metadata.namespace)},
        image=${py(c.image)},
        arguments=${py(c.args)},
        env_vars=[
            ${envVars.join(',\n            ')},
        ],${duckdbArgs}
        get_logs=True,
        on_finish_action="delete_pod",
    )`;
  };
  return `# Generated by the spotify-pipeline operator from SpotifyPipeline ${pipeline.metadata.namespace}/${pipeline.metadata.name}. Do not edit.
from datetime import datetime

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG
from kubernetes.client import models as k8s

with DAG(
    dag_id=${py(dagId)},
    schedule=${py(schedule.load)},
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=${schedule.suspend ? 'True' : 'False'},
    tags=["spotify-pipeline"],
) as dag:
${task('load')}
${task('transform')}
    load >> transform
`;
}

/** With the Airflow orchestrator, a ConfigMap holding the generated DAG (label for a sidecar to collect). */
export function buildAirflowDagConfigMap(ctx: BuildContext): ChildObject | null {
  const { pipeline } = ctx;
  if (pipeline.spec.schedule.orchestrator !== 'airflow' || !pipeline.spec.warehouse) return null;
  const meta = childMeta(pipeline, names.dag(pipeline), 'airflow-dag');
  meta.labels['airflow.apache.org/dag'] = 'true';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta,
    data: { [`${pipeline.metadata.name}_dag.py`.replace(/-/g, '_')]: renderAirflowDag(ctx) },
  };
}
