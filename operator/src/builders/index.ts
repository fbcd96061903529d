import { buildHpa, buildScaledObject } from './autoscaler.js';
import { buildConfigMap } from './config-map.js';
import type { BuildContext, ChildObject } from './context.js';
import { buildAirflowDagConfigMap, buildLoadCronJob, buildTransformCronJob } from './schedule.js';
import { buildLakeWriterDeployment, buildLakeWriterPdb, buildSourceDeployments } from './workloads.js';

export interface DesiredChild {
  /** apiVersion + kind + name identify it; `object` null means "must not exist". */
  apiVersion: string;
  kind: string;
  name: string;
  object: ChildObject | null;
}

/** Children in the pipeline's namespace, grouped by the condition they feed. */
export function desiredWorkloads(ctx: BuildContext): DesiredChild[] {
  const lakeWriter = buildLakeWriterDeployment(ctx);
  const name = lakeWriter.metadata.name;
  return [
    child('v1', 'ConfigMap', buildConfigMap(ctx).metadata.name, buildConfigMap(ctx)),
    ...buildSourceDeployments(ctx).map((d) => child('apps/v1', 'Deployment', d.metadata.name, d)),
    child('apps/v1', 'Deployment', name, lakeWriter),
    child('policy/v1', 'PodDisruptionBudget', name, buildLakeWriterPdb(ctx)),
    child('autoscaling/v2', 'HorizontalPodAutoscaler', name, buildHpa(ctx)),
    child('keda.sh/v1alpha1', 'ScaledObject', name, buildScaledObject(ctx)),
  ];
}

export function desiredSchedule(ctx: BuildContext): DesiredChild[] {
  const { metadata } = ctx.pipeline;
  return [
    child('batch/v1', 'CronJob', `${metadata.name}-load`, buildLoadCronJob(ctx)),
    child('batch/v1', 'CronJob', `${metadata.name}-transform`, buildTransformCronJob(ctx)),
    child('v1', 'ConfigMap', `${metadata.name}-airflow-dag`, buildAirflowDagConfigMap(ctx)),
  ];
}

function child(apiVersion: string, kind: string, name: string, object: ChildObject | null): DesiredChild {
  return { apiVersion, kind, name, object };
}
