import { desiredSchedule } from '../builders/index.js';
import { applyChildren } from './apply-children.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import { refusals } from './pipeline-workloads.js';
import type { ReconcileStep, StepOutcome } from './step.js';

/** ScheduleReady: load and transform CronJobs, or the Airflow DAG ConfigMap, exist as specified. */
export const scheduleStep: ReconcileStep = {
  name: 'schedule',
  condition: 'ScheduleReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline } = ctx;
    const desired = desiredSchedule(ctx);
    await applyChildren(
      deps,
      pipeline.metadata.namespace,
      desired.filter((c) => !(c.refused && c.object)),
    );
    const refused = refusals(desired);
    if (refused) {
      return {
        conditions: [
          conditionFailed(
            'ScheduleReady',
            Reasons.InvalidWorkloadConfig,
            `Not deployed, it would refuse its configuration: ${refused}. Fix the resource.`,
          ),
        ],
      };
    }
    const { schedule, warehouse } = pipeline.spec;
    if (!warehouse) {
      return {
        conditions: [
          conditionOk(
            'ScheduleReady',
            Reasons.NoWarehouse,
            'No warehouse is set: nothing to load or transform.',
          ),
        ],
      };
    }
    if (schedule.orchestrator === 'airflow') {
      return {
        conditions: [
          conditionOk('ScheduleReady', Reasons.DagPublished, 'The Airflow DAG ConfigMap is published.'),
        ],
      };
    }
    return {
      conditions: [
        conditionOk(
          'ScheduleReady',
          Reasons.Scheduled,
          `Load runs "${schedule.load}", transform "${schedule.transform}"${schedule.suspend ? ' (suspended)' : ''}.`,
        ),
      ],
    };
  },
};
