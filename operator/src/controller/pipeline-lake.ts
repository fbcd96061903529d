import type { BuildContext } from '../builders/context.js';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { LakeError, type LakeSettings } from '../external/lake.js';
import { conditionFailed, conditionOk, Reasons } from './conditions.js';
import { type ReconcileDeps, readSecret } from './deps.js';
import type { ReconcileStep, StepOutcome } from './step.js';

type LakeStatus = NonNullable<PipelineStatus['lake']>;

/** Successful lake checks by pipeline uid, valid while generation and Secret are unchanged. */
export class LakeCheckCache {
  private readonly checked = new Map<string, { fingerprint: string; at: number; lake: LakeStatus }>();

  get(uid: string, fingerprint: string, maxAgeMs: number): LakeStatus | undefined {
    const hit = this.checked.get(uid);
    return hit && hit.fingerprint === fingerprint && Date.now() - hit.at < maxAgeMs ? hit.lake : undefined;
  }

  set(uid: string, fingerprint: string, lake: LakeStatus): void {
    this.checked.set(uid, { fingerprint, at: Date.now(), lake });
  }

  forget(uid: string): void {
    this.checked.delete(uid);
  }
}

export async function lakeSettings(
  deps: ReconcileDeps,
  ctx: BuildContext,
): Promise<{ settings: LakeSettings; secretVersion: string } | string> {
  const { lake } = ctx.pipeline.spec;
  const secret = await readSecret(deps.client, ctx.pipeline.metadata.namespace, lake.credentialsSecret);
  if (!secret)
    return `Secret ${lake.credentialsSecret} (spec.lake.credentialsSecret) is missing: create it with LAKE_ACCESS_KEY and LAKE_SECRET_KEY.`;
  const { LAKE_ACCESS_KEY: accessKey, LAKE_SECRET_KEY: secretKey } = secret.data;
  if (!accessKey || !secretKey)
    return `Secret ${lake.credentialsSecret} (spec.lake.credentialsSecret) must hold both LAKE_ACCESS_KEY and LAKE_SECRET_KEY.`;
  return {
    secretVersion: secret.resourceVersion,
    settings: {
      endpoint: lake.endpoint,
      region: lake.region,
      bucket: lake.bucket,
      accessKey,
      secretKey,
      versioning: lake.versioning,
      retentionDays: lake.retentionDays,
    },
  };
}

/** LakeReady: the bucket exists with versioning and bronze expiry where the server supports them. */
export const lakeStep: ReconcileStep = {
  name: 'lake',
  condition: 'LakeReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline } = ctx;
    const found = await lakeSettings(deps, ctx);
    if (typeof found === 'string')
      return { conditions: [conditionFailed('LakeReady', Reasons.LakeSecretMissing, found)] };
    const fingerprint = `${pipeline.metadata.generation}/${found.secretVersion}`;
    const cached = deps.lakeChecks.get(pipeline.metadata.uid, fingerprint, deps.lakeRecheckMs);
    if (cached) return ready(ctx, cached);
    try {
      const result = await deps.lake.ensure(found.settings);
      const lake = {
        bucket: pipeline.spec.lake.bucket,
        versioning: result.versioning,
        lifecycle: result.lifecycle,
      };
      deps.lakeChecks.set(pipeline.metadata.uid, fingerprint, lake);
      return ready(ctx, lake);
    } catch (err) {
      deps.lakeChecks.forget(pipeline.metadata.uid);
      if (!(err instanceof LakeError)) throw err;
      const denied = err.kind === 'access-denied';
      return {
        conditions: [
          conditionFailed(
            'LakeReady',
            denied ? Reasons.LakeAccessDenied : Reasons.LakeUnreachable,
            denied
              ? `${err.message}: fix LAKE_ACCESS_KEY/LAKE_SECRET_KEY in Secret ${pipeline.spec.lake.credentialsSecret} (spec.lake.credentialsSecret).`
              : `${err.message}: check spec.lake.endpoint and that the object store is up.`,
          ),
        ],
        retry: !denied,
      };
    }
  },
};

function ready(ctx: BuildContext, lake: LakeStatus): StepOutcome {
  const { spec } = ctx.pipeline;
  const unsupported = [
    lake.versioning === 'Unsupported' ? 'versioning' : '',
    lake.lifecycle === 'Unsupported' ? `the bronze expiry after ${spec.lake.retentionDays} days` : '',
  ].filter(Boolean);
  return {
    conditions: [
      conditionOk(
        'LakeReady',
        Reasons.BucketReady,
        `Bucket ${spec.lake.bucket} is ready${unsupported.length ? `; the server does not support ${unsupported.join(' or ')}, so it is not applied` : ''}.`,
      ),
    ],
    status: { lake },
  };
}
