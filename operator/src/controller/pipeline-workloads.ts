import { type BuildContext, names } from '../builders/context.js';
import { type DesiredChild, desiredWorkloads } from '../builders/index.js';
import { checkSources } from '../builders/source-needs.js';
import { buildLakeWriterDeployment } from '../builders/workloads.js';
import type { KubeObject } from '../kube/api.js';
import { applyChildren } from './apply-children.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import type { ReconcileDeps } from './deps.js';
import { currentSourceNeeds, gatherSourceFacts } from './source-facts.js';
import { jobProblem, settleJobs } from './source-jobs.js';
import type { ReconcileStep, StepOutcome } from './step.js';

interface DeploymentObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number };
}

/** Why a Deployment is not yet available, or null when it is (as the deployment controller reports it). */
export function deploymentProblem(d: DeploymentObject): string | null {
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < (d.metadata?.generation ?? 1))
    return `${d.metadata?.name}: rollout not observed yet`;
  const available = st.availableReplicas ?? 0;
  if (available < want || (st.updatedReplicas ?? 0) < want)
    return `${d.metadata?.name}: ${available}/${want} available`;
  return null;
}

export const REPLICAS_HANDOFF_MANAGER = 'spotify-pipeline-operator-handoff';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

/**
 * When an autoscaler takes over a Deployment whose spec.replicas we own, dropping the field from our apply
 * would delete it (back to 1 replica). So first the current value is applied under a hand-off manager that
 * never applies again; the autoscaler's next scale takes it from there. (The documented way to transfer
 * ownership of a field under server-side apply.)
 */
async function handOverReplicas(deps: ReconcileDeps, ctx: BuildContext): Promise<void> {
  if (ctx.pipeline.spec.lakeWriter.autoscaler === 'none') return;
  const namespace = ctx.pipeline.metadata.namespace;
  const name = names.lakeWriter(ctx.pipeline);
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace, name } };
  const cached = deps.observed?.(ref);
  const current = (
    cached !== undefined
      ? cached
      : await deps.client.getOrNull({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name })
  ) as (KubeObject & { spec?: { replicas?: number } }) | null;
  const managed = (current?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  const ours = managed.some(
    (m) =>
      m.manager === deps.client.fieldManager &&
      m.operation === 'Apply' &&
      m.fieldsV1?.['f:spec']?.['f:replicas'],
  );
  if (!current || !ours || current.spec?.replicas === undefined) return;
  await deps.client.apply(
    { ...ref, spec: { replicas: current.spec.replicas } } as never,
    undefined,
    REPLICAS_HANDOFF_MANAGER,
  );
  // Our apply without spec.replicas releases it (never skipped as unchanged: the field set is what changes).
  await deps.client.apply(buildLakeWriterDeployment(ctx));
}

/** A Secret created or files uploaded later start no watch event here: look again this soon. */
const SOURCE_RECHECK_MS = 30_000;

/** One line per withheld child: which workload refuses which settings. */
export function refusals(children: DesiredChild[]): string | null {
  const lines = children.flatMap((c) =>
    c.refused && c.object ? [`${c.refused.workload}: ${c.refused.problem}`] : [],
  );
  return lines.length > 0 ? [...new Set(lines)].join('; ') : null;
}

/** WorkloadsReady: sources, lake writer, PDB and autoscaler applied; Deployments available, no import failed. */
export const workloadsStep: ReconcileStep = {
  name: 'workloads',
  condition: 'WorkloadsReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline, plan } = ctx;
    const status = { lakeWriters: `${plan.lakeWriters.min}-${plan.lakeWriters.max}` };
    const failed = (reason: string, message: string): StepOutcome => ({
      conditions: [conditionFailed('WorkloadsReady', reason, message)],
      status,
    });
    await handOverReplicas(deps, ctx);
    const desired = desiredWorkloads(ctx);
    const needs = await currentSourceNeeds(deps, ctx);
    const sources = checkSources(needs, await gatherSourceFacts(deps, ctx, needs));
    const blocked = new Set(
      sources.filter((s) => s.blocking.length > 0).map((s) => names.source(pipeline, s.index)),
    );
    const degraded = sources.flatMap((s) => s.degraded);
    const note = degraded.length > 0 ? ` Running without: ${degraded.join('; ')}.` : '';
    // A child its workload's own schema refuses, or a source that cannot start, is withheld (neither
    // applied nor deleted): reported below, never shipped to crash or wait.
    const { toApply, existing } = await settleJobs(
      deps,
      pipeline.metadata.namespace,
      desired.filter((c) => !(c.object && (c.refused || blocked.has(c.name)))),
    );
    const results = await applyChildren(deps, pipeline.metadata.namespace, toApply);
    if (results.some((r) => r.outcome === 'kind-missing' && r.child.kind === 'ScaledObject')) {
      return failed(
        Reasons.KedaNotInstalled,
        'The keda.sh CRDs are not installed: install KEDA, or set spec.lakeWriter.autoscaler to hpa or none.',
      );
    }
    const refused = refusals(desired);
    if (refused)
      return failed(
        Reasons.InvalidWorkloadConfig,
        `Not deployed, it would refuse its configuration: ${refused}. Fix the resource.${note}`,
      );
    const cannotStart = sources.flatMap((s) => s.blocking);
    if (cannotStart.length > 0)
      return {
        ...failed(
          Reasons.SourceNotReady,
          `Not deployed until it can start: ${cannotStart.join('; ')}.${note}`,
        ),
        requeueAfterMs: SOURCE_RECHECK_MS,
      };
    const failedJobs = [
      ...existing,
      ...results.flatMap((r) => (r.outcome === 'applied' && r.child.kind === 'Job' ? [r.object] : [])),
    ]
      .map(jobProblem)
      .filter((p): p is string => p !== null);
    if (failedJobs.length > 0) return failed(Reasons.ImportFailed, `${failedJobs.join('; ')}.${note}`);
    const problems = results
      .filter((r) => r.outcome === 'applied' && r.child.kind === 'Deployment')
      .map((r) => deploymentProblem((r as { object: DeploymentObject }).object))
      .filter((p): p is string => p !== null);
    if (problems.length > 0)
      return failed(
        Reasons.DeploymentsNotAvailable,
        `Waiting for Deployments: ${problems.join(', ')}.${note}`,
      );
    return {
      conditions: [
        conditionOk('WorkloadsReady', Reasons.DeploymentsAvailable, `All Deployments are available.${note}`),
      ],
      status,
    };
  },
};
