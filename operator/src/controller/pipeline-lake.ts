import type { BuildContext } from '../builders/context.js';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { LakeError, type LakeSettings } from '../external/lake.js';
import { Reasons, setCondition } from './conditions.js';
import { type ReconcileDeps, readSecret } from './deps.js';

const checked = new Map<
  string,
  { fingerprint: string; at: number; lake: NonNullable<PipelineStatus['lake']> }
>();

export async function lakeSettings(
  deps: ReconcileDeps,
  ctx: BuildContext,
): Promise<{ settings: LakeSettings; secretVersion: string } | string> {
  const { lake } = ctx.pipeline.spec;
  const secret = await readSecret(deps.client, ctx.pipeline.metadata.namespace, lake.credentialsSecret);
  if (!secret)
    return `Secret ${lake.credentialsSecret} is missing: create it with LAKE_ACCESS_KEY and LAKE_SECRET_KEY.`;
  const { LAKE_ACCESS_KEY: accessKey, LAKE_SECRET_KEY: secretKey } = secret.data;
  if (!accessKey || !secretKey)
    return `Secret ${lake.credentialsSecret} must hold both LAKE_ACCESS_KEY and LAKE_SECRET_KEY.`;
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
export async function reconcileLake(
  deps: ReconcileDeps,
  ctx: BuildContext,
  status: PipelineStatus,
): Promise<void> {
  const { pipeline } = ctx;
  const gen = pipeline.metadata.generation;
  const found = await lakeSettings(deps, ctx);
  if (typeof found === 'string')
    return setCondition(status, 'LakeReady', false, Reasons.LakeSecretMissing, found, gen);
  const fingerprint = `${gen}/${found.secretVersion}`;
  const cached = checked.get(pipeline.metadata.uid);
  if (cached && cached.fingerprint === fingerprint && Date.now() - cached.at < deps.lakeRecheckMs) {
    status.lake = cached.lake;
    return;
  }
  try {
    const result = await deps.lake.ensure(found.settings);
    status.lake = {
      bucket: pipeline.spec.lake.bucket,
      versioning: result.versioning,
      lifecycle: result.lifecycle,
    };
    const unsupported = [
      result.versioning === 'Unsupported' ? 'versioning' : '',
      result.lifecycle === 'Unsupported'
        ? `the bronze expiry after ${pipeline.spec.lake.retentionDays} days`
        : '',
    ].filter(Boolean);
    setCondition(
      status,
      'LakeReady',
      true,
      Reasons.BucketReady,
      `Bucket ${pipeline.spec.lake.bucket} is ready${unsupported.length ? `; the server does not support ${unsupported.join(' or ')}, so it is not applied` : ''}.`,
      gen,
    );
    checked.set(pipeline.metadata.uid, { fingerprint, at: Date.now(), lake: status.lake });
  } catch (err) {
    checked.delete(pipeline.metadata.uid);
    if (!(err instanceof LakeError)) throw err;
    const denied = err.kind === 'access-denied';
    setCondition(
      status,
      'LakeReady',
      false,
      denied ? Reasons.LakeAccessDenied : Reasons.LakeUnreachable,
      denied
        ? `${err.message}: fix LAKE_ACCESS_KEY/LAKE_SECRET_KEY in Secret ${pipeline.spec.lake.credentialsSecret}.`
        : `${err.message}: check spec.lake.endpoint and that the object store is up.`,
      gen,
    );
  }
}

export function forgetLake(uid: string): void {
  checked.delete(uid);
}
