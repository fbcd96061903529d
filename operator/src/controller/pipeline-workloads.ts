import { type BuildContext, names } from '../builders/context.js';
import { type DesiredChild, desiredWorkloads } from '../builders/index.js';
import { lakeWriterEnv } from '../builders/lake-writer-env.js';
import { checkSources } from '../builders/source-needs.js';
import { buildLakeWriterDeployment } from '../builders/workloads.js';
import type { KubeObject } from '../kube/api.js';
import { applyChildren } from './apply-children.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import { pipelineSecret, type ReconcileDeps } from './deps.js';
import { withSpecFields } from './env-fields.js';
import { missingKafkaCredentials } from './kafka-credentials.js';
import { readScaling } from './lake-writer-scaling.js';
import { externalKafkaSettings } from './pipeline-topics.js';
import { currentSourceNeeds, gatherSourceFacts } from './source-facts.js';
import { jobProblem, settleJobs } from './source-jobs.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';
import { missingSecrets } from './workload-secrets.js';

interface DeploymentObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number };
}

/** Why a Deployment is not yet available, or null when it is (as the deployment controller reports it). */
function deploymentProblem(d: DeploymentObject): string | null {
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < (d.metadata?.generation ?? 1))
    return `${d.metadata?.name}: rollout not observed yet`;
  const available = st.availableReplicas ?? 0;
  if (available < want || (st.updatedReplicas ?? 0) < want)
    return `${d.metadata?.name}: ${available}/${want} available`;
  return null;
}

const REPLICAS_HANDOFF_MANAGER = 'spotify-pipeline-operator-handoff';

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

/**
 * Why nothing may run while another pipeline owns this one's topic or lake prefix: sources would write
 * into its topic, the lake writer into its prefix, the loader read its data. Null when all is owned.
 */
export function blockedByClaims(ctx: StepContext): string | null {
  if (ctx.claims.conflicts.length === 0) return null;
  const owners = [...new Set(ctx.claims.conflicts.map((c) => c.owner))].join(', ');
  return `Not deployed while pipeline ${owners} owns this pipeline's topic or lake prefix (see TopicsReady and LakeReady).`;
}

/** The keys of a Secret of the pipeline's namespace (read once per pass), or null when it does not exist. */
export async function secretKeysOf(
  deps: ReconcileDeps,
  ctx: StepContext,
  name: string,
): Promise<ReadonlySet<string> | null> {
  const secret = await pipelineSecret(deps, ctx, name);
  return secret ? new Set(Object.keys(secret.data)) : null;
}

/** One line per withheld child: which workload refuses which settings. */
export function refusals(children: DesiredChild[]): string | null {
  const lines = children.flatMap((c) =>
    c.refused && c.object ? [`${c.refused.workload}: ${c.refused.problem}`] : [],
  );
  return lines.length > 0 ? [...new Set(lines)].join('; ') : null;
}

/** KEDA's Kafka scaler needs the external cluster's SASL mechanism in the clear: it is in the credentials Secret. */
async function saslMechanism(
  deps: ReconcileDeps,
  ctx: StepContext,
): Promise<Pick<BuildContext, 'kafkaSaslMechanism'>> {
  const { kafka, lakeWriter } = ctx.pipeline.spec;
  if (lakeWriter.autoscaler !== 'keda' || kafka.mode !== 'external' || !kafka.external?.credentialsSecret)
    return {};
  const found = await externalKafkaSettings(deps, ctx);
  const mechanism = typeof found === 'string' ? undefined : found.settings.KAFKA_SASL_MECHANISM;
  return mechanism ? { kafkaSaslMechanism: mechanism } : {};
}

/** WorkloadsReady: sources, lake writer, PDB and autoscaler applied; Deployments available, no import failed. */
export const workloadsStep: ReconcileStep = {
  name: 'workloads',
  condition: 'WorkloadsReady',
  async run(deps, stepCtx): Promise<StepOutcome> {
    const lakeWriters = `${stepCtx.plan.lakeWriters.min}-${stepCtx.plan.lakeWriters.max}`;
    // Blocked by a claim, the step reads and writes nothing.
    const claimed = blockedByClaims(stepCtx);
    if (claimed)
      return {
        conditions: [conditionFailed('WorkloadsReady', Reasons.BlockedByClaim, claimed)],
        status: { lakeWriters },
      };
    const ctx = { ...stepCtx, ...(await saslMechanism(deps, stepCtx)) };
    const { pipeline } = ctx;
    const scaling = await readScaling(deps, ctx);
    const status = { lakeWriters, ...(scaling ? { lakeWriterScaling: scaling } : {}) };
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
        `Not deployed, it would refuse its configuration: ${withSpecFields(pipeline, refused)}.${note}`,
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
    if (results.some((r) => r.outcome === 'kind-missing' && r.child.kind === 'KafkaUser'))
      return failed(
        Reasons.StrimziNotInstalled,
        'The KafkaUser CRD (kafka.strimzi.io) is not installed: install the Strimzi operator, or set spec.kafka.strimzi.listener.authentication to none.',
      );
    const users = results.flatMap((r) =>
      r.outcome === 'applied' && r.child.kind === 'KafkaUser' ? [r.object] : [],
    );
    const credentials = await missingKafkaCredentials(pipeline, users, (name) =>
      secretKeysOf(deps, ctx, name),
    );
    if (credentials.length > 0)
      return {
        ...failed(Reasons.KafkaCredentialsMissing, `${credentials.join('; ')}.${note}`),
        requeueAfterMs: SOURCE_RECHECK_MS,
      };
    const secrets = await missingSecrets(pipeline, 'the lake writer', lakeWriterEnv(ctx).secrets, (name) =>
      secretKeysOf(deps, ctx, name),
    );
    if (secrets.length > 0) return failed(Reasons.SecretMissing, `${secrets.join('; ')}.${note}`);
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
