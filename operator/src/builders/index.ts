import {
  buildHpa,
  buildKafkaTriggerAuthentication,
  buildKedaKafkaConfig,
  buildScaledObject,
} from './autoscaler.js';
import { type BuildContext, type ChildObject, names } from './context.js';
import { buildDuckDbClaim } from './duckdb-volume.js';
import { buildInsightsDeployment, buildInsightsService } from './insights.js';
import { STRIMZI_API_VERSION } from './kafka-topic.js';
import { buildKafkaUser, type KafkaWorkload, kafkaUserName, sourceWorkload } from './kafka-users.js';
import { insightsRefusal, lakeWriterRefusal, loaderRefusal, sourceRefusal } from './refusals.js';
import { buildAirflowDagConfigMap, buildLoadCronJob, buildTransformCronJob } from './schedule.js';
import { buildSourceWorkloads, MAX_SOURCES } from './sources.js';
import { buildLakeWriterDeployment, buildLakeWriterPdb } from './workloads.js';

export interface DesiredChild {
  /** apiVersion + kind + name identify it; `object` null means "must not exist". */
  apiVersion: string;
  kind: string;
  name: string;
  object: ChildObject | null;
  /**
   * What the workload's own schema refuses in the env built for it: the child is withheld (neither applied
   * nor deleted, so a running version stays) and the refusal is reported. `workload` names it there.
   */
  refused?: { workload: string; problem: string };
}

/** Children in the pipeline's namespace, grouped by the condition they feed. */
export function desiredWorkloads(ctx: BuildContext): DesiredChild[] {
  const { pipeline } = ctx;
  const lakeWriter = buildLakeWriterDeployment(ctx);
  const name = lakeWriter.metadata.name;
  const sources = buildSourceWorkloads(ctx);
  const sourceChildren: DesiredChild[] = [];
  // Index by index, the workload of the source's kind and nothing of the other kind; past the list, nothing
  // (a source removed from the list, or turned from a Deployment into a Job, leaves nothing behind).
  for (let index = 0; index < MAX_SOURCES; index++) {
    const workload = sources.find((s) => s.index === index);
    const problem = workload ? sourceRefusal(ctx, index, workload.source) : null;
    const refused = problem
      ? { workload: `spec.sources[${index}] (${workload?.source.type})`, problem }
      : null;
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['batch/v1', 'Job'],
    ] as const) {
      const object = workload?.object.kind === kind ? workload.object : null;
      sourceChildren.push({
        ...child(apiVersion, kind, names.source(pipeline, index), object),
        ...(object && refused ? { refused } : {}),
      });
    }
  }
  const lakeWriterProblem = lakeWriterRefusal(ctx);
  return [
    // Settings used to live in this ConfigMap; each workload's env is in its own pod template now.
    child('v1', 'ConfigMap', names.config(pipeline), null),
    ...sourceChildren,
    {
      ...child('apps/v1', 'Deployment', name, lakeWriter),
      ...(lakeWriterProblem ? { refused: { workload: 'the lake writer', problem: lakeWriterProblem } } : {}),
    },
    child('policy/v1', 'PodDisruptionBudget', name, buildLakeWriterPdb(ctx)),
    child('autoscaling/v2', 'HorizontalPodAutoscaler', name, buildHpa(ctx)),
    child(
      'keda.sh/v1alpha1',
      'TriggerAuthentication',
      names.kafkaTriggerAuthentication(pipeline),
      buildKafkaTriggerAuthentication(ctx),
    ),
    child('v1', 'ConfigMap', names.kedaKafkaConfig(pipeline), buildKedaKafkaConfig(ctx)),
    child('keda.sh/v1alpha1', 'ScaledObject', name, buildScaledObject(ctx)),
    ...insightsChildren(ctx),
    ...kafkaUsers(ctx),
  ];
}

/**
 * A KafkaUser per workload that talks to Kafka (each source, the lake writer, the insights service, KEDA)
 * when the Strimzi listener authenticates; none where no workload runs or nothing authenticates.
 */
export function kafkaUsers(ctx: BuildContext): DesiredChild[] {
  const { pipeline } = ctx;
  const user = (name: string, workload: KafkaWorkload | null) =>
    child(STRIMZI_API_VERSION, 'KafkaUser', name, workload ? buildKafkaUser(ctx, name, workload) : null);
  return [
    ...Array.from({ length: MAX_SOURCES }, (_, index) => {
      const source = pipeline.spec.sources[index];
      return user(kafkaUserName.source(pipeline, index), source ? sourceWorkload(source) : null);
    }),
    user(kafkaUserName.lakeWriter(pipeline), 'lake-writer'),
    user(kafkaUserName.insights(pipeline), buildInsightsDeployment(ctx) ? 'insights' : null),
    user(kafkaUserName.keda(pipeline), pipeline.spec.lakeWriter.autoscaler === 'keda' ? 'keda' : null),
  ];
}

/** The insights Deployment and Service; withheld (with the reason reported) if it would refuse its env. */
function insightsChildren(ctx: BuildContext): DesiredChild[] {
  const name = names.insights(ctx.pipeline);
  const problem = insightsRefusal(ctx);
  const refused = problem ? { refused: { workload: 'the insights service', problem } } : {};
  return [
    { ...child('apps/v1', 'Deployment', name, buildInsightsDeployment(ctx)), ...refused },
    child('v1', 'Service', name, buildInsightsService(ctx)),
  ];
}

/**
 * The load and transform CronJobs (or the Airflow DAG) and, for DuckDB, the claim for its file. The claim is
 * only ever applied: with another warehouse it is left alone (see buildDuckDbClaim).
 */
export function desiredSchedule(ctx: BuildContext): DesiredChild[] {
  const { metadata } = ctx.pipeline;
  const problem = loaderRefusal(ctx);
  const refused = problem ? { refused: { workload: 'the loader', problem } } : {};
  const claim = buildDuckDbClaim(ctx);
  return [
    ...(claim ? [child('v1', 'PersistentVolumeClaim', claim.metadata.name, claim)] : []),
    { ...child('batch/v1', 'CronJob', `${metadata.name}-load`, buildLoadCronJob(ctx)), ...refused },
    { ...child('batch/v1', 'CronJob', `${metadata.name}-transform`, buildTransformCronJob(ctx)), ...refused },
    {
      ...child('v1', 'ConfigMap', `${metadata.name}-airflow-dag`, buildAirflowDagConfigMap(ctx)),
      ...refused,
    },
  ];
}

function child(apiVersion: string, kind: string, name: string, object: ChildObject | null): DesiredChild {
  return { apiVersion, kind, name, object };
}
