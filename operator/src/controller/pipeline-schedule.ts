import { names } from '../builders/context.js';
import { cronProblem } from '../builders/cron-schedule.js';
import { desiredSchedule } from '../builders/index.js';
import { loaderEnv } from '../builders/loader-env.js';
import type { WarehouseStatus } from '../crd/spotify-pipeline.js';
import { applyChildren, type ChildResult } from './apply-children.js';
import type { StepConditionType } from './conditions.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import { withSpecFields } from './env-fields.js';
import { blockedByClaims, refusals, secretKeysOf } from './pipeline-workloads.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';
import { missingSecrets } from './workload-secrets.js';

const TYPE: StepConditionType = 'ScheduleReady';

const DUCKDB_NOTE =
  'DuckDB is single-node (its file is on a ReadWriteOnce volume: the job and the insights pod run on one node) and single-writer (one job writes it at a time; insights reads the gold snapshot).';

/** The warehouse as deployed: for DuckDB the claim as the API server answered the apply. */
function warehouseStatus(ctx: StepContext, applied: ChildResult[]): WarehouseStatus {
  const type = ctx.pipeline.spec.warehouse?.type ?? 'duckdb';
  if (type !== 'duckdb') return { type };
  const claim = applied.find((r) => r.child.kind === 'PersistentVolumeClaim');
  const phase =
    claim?.outcome === 'applied'
      ? (claim.object as { status?: { phase?: string } }).status?.phase
      : undefined;
  return {
    type,
    volume: names.duckdb(ctx.pipeline),
    ...(phase ? { volumePhase: phase } : {}),
    topology: 'SingleNode,SingleWriter',
  };
}

/**
 * What a cron parser finds wrong with the schedules an orchestrator runs, naming their fields. The DAG runs
 * on the load schedule (transform follows load in it), so with Airflow only that one is checked.
 */
function scheduleProblems(ctx: StepContext): string[] {
  const { schedule } = ctx.pipeline.spec;
  const airflow = schedule.orchestrator === 'airflow';
  const jobs = airflow ? (['load'] as const) : (['load', 'transform'] as const);
  return jobs.flatMap((job) => {
    const problem = cronProblem(schedule[job]);
    if (!problem) return [];
    const consequence =
      problem.kind !== 'never'
        ? ''
        : airflow
          ? '; Airflow finds no next run for it'
          : '; no CronJob would run it';
    return [`spec.schedule.${job}: ${problem.message}${consequence}`];
  });
}

/**
 * ScheduleReady: load and transform CronJobs, or the Airflow DAG ConfigMap, exist as specified and can
 * run: a schedule a cron parser rejects or that never fires is withheld (neither applied nor deleted) and
 * named, and the Secrets the loader reads must be there.
 */
export const scheduleStep: ReconcileStep = {
  name: 'schedule',
  condition: TYPE,
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline } = ctx;
    const { schedule, warehouse } = pipeline.spec;
    const blocked = blockedByClaims(ctx);
    if (blocked) return { conditions: [conditionFailed(TYPE, Reasons.BlockedByClaim, blocked)] };
    const desired = desiredSchedule(ctx);
    const invalid = warehouse ? scheduleProblems(ctx) : [];
    const applied = await applyChildren(
      deps,
      pipeline.metadata.namespace,
      desired.filter((c) => !(c.object && (c.refused || invalid.length > 0))),
    );
    const status = warehouse ? { warehouse: warehouseStatus(ctx, applied) } : {};
    const failed = (reason: string, message: string): StepOutcome => ({
      conditions: [conditionFailed(TYPE, reason, message)],
      status,
    });
    if (invalid.length > 0) return failed(Reasons.InvalidSchedule, `Not deployed: ${invalid.join('; ')}.`);
    const refused = refusals(desired);
    if (refused)
      return failed(
        Reasons.InvalidWorkloadConfig,
        `Not deployed, it would refuse its configuration: ${withSpecFields(pipeline, refused)}.`,
      );
    if (!warehouse)
      return {
        conditions: [
          conditionOk(TYPE, Reasons.NoWarehouse, 'No warehouse is set: nothing to load or transform.'),
        ],
      };
    const single = warehouse.type === 'duckdb' ? ` ${DUCKDB_NOTE}` : '';
    const secrets = await missingSecrets(pipeline, 'the loader', loaderEnv(ctx).secrets, (name) =>
      secretKeysOf(deps, ctx, name),
    );
    if (secrets.length > 0) return failed(Reasons.SecretMissing, `${secrets.join('; ')}.`);
    if (schedule.orchestrator === 'airflow')
      return {
        conditions: [
          conditionOk(TYPE, Reasons.DagPublished, `The Airflow DAG ConfigMap is published.${single}`),
        ],
        status,
      };
    const suspended = schedule.suspend ? ' (suspended)' : '';
    const runs =
      warehouse.type === 'duckdb'
        ? `Load and transform run as one job "${schedule.transform}"${suspended} (schedule.load is not used with DuckDB).${single}`
        : `Load runs "${schedule.load}", transform "${schedule.transform}"${suspended}.`;
    return { conditions: [conditionOk(TYPE, Reasons.Scheduled, runs)], status };
  },
};
