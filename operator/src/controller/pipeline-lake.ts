import { DeadlineError } from '@spotify-pipeline/shared';
import type { BuildContext } from '../builders/context.js';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { LakeError, type LakeResult, type LakeSettings } from '../external/lake.js';
import { conflictMessage } from './claims.js';
import { conditionFailed, conditionOk, getCondition, Reasons } from './conditions.js';
import { pipelineSecret, type ReconcileDeps } from './deps.js';
import type { ReconcileStep, StepContext, StepOutcome } from './step.js';

type LakeStatus = NonNullable<PipelineStatus['lake']>;

export async function lakeSettings(
  deps: ReconcileDeps,
  ctx: StepContext,
): Promise<{ settings: LakeSettings; secretVersion: string } | string> {
  const { lake } = ctx.pipeline.spec;
  const secret = await pipelineSecret(deps, ctx, lake.credentialsSecret);
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
      mayCreate: (ctx.pipeline.status?.lake?.bucket ?? null) !== lake.bucket,
    },
  };
}

/**
 * LakeReady: the bucket exists with versioning and bronze expiry where the server supports them. The
 * object store is called off the worker's path (ExternalCalls): a store that does not answer leaves
 * this condition pending, then failed at its deadline, and holds no worker.
 */
export const lakeStep: ReconcileStep = {
  name: 'lake',
  condition: 'LakeReady',
  async run(deps, ctx): Promise<StepOutcome> {
    const { pipeline } = ctx;
    const conflict = conflictMessage(ctx.claims, 'LakePrefix');
    if (conflict) {
      return {
        conditions: [
          conditionFailed(
            'LakeReady',
            Reasons.LakePrefixClaimed,
            `${conflict}: choose another spec.lake.bucket or spec.kafka.topic.name (one pipeline's deletion would take the other's data).`,
          ),
        ],
      };
    }
    const found = await lakeSettings(deps, ctx);
    if (typeof found === 'string')
      return { conditions: [conditionFailed('LakeReady', Reasons.LakeSecretMissing, found)] };
    const { endpoint } = pipeline.spec.lake;
    const call = await deps.external.call<LakeResult>(
      ctx.key,
      'lake',
      `${pipeline.metadata.uid}/${pipeline.metadata.generation}/${found.secretVersion}`,
      {
        deadlineMs: deps.timeouts.lakeMs,
        maxAgeMs: deps.timeouts.recheckMs,
        describe: `the object store at ${endpoint}`,
      },
      (signal) => deps.lake.ensure(found.settings, signal),
    );
    if (call.state === 'pending') return pending(ctx, deps.timeouts.lakeMs);
    if (call.state === 'done') {
      const lake = {
        bucket: pipeline.spec.lake.bucket,
        versioning: call.value.versioning,
        lifecycle: call.value.lifecycle,
      };
      return ready(ctx, lake);
    }
    return failed(ctx, call.error);
  },
};

/** A check still running: the last word stands, or the wait is said if there is none. */
function pending(ctx: StepContext, deadlineMs: number): StepOutcome {
  const previous = getCondition(ctx.previous, 'LakeReady');
  if (previous) {
    return {
      conditions: [
        {
          type: 'LakeReady',
          ok: previous.status === 'True',
          reason: previous.reason,
          message: previous.message,
        },
      ],
    };
  }
  return {
    conditions: [
      conditionFailed(
        'LakeReady',
        Reasons.LakeCheckPending,
        `Waiting for the object store at ${ctx.pipeline.spec.lake.endpoint} to answer (at most ${deadlineMs / 1000}s).`,
      ),
    ],
  };
}

function failed(ctx: StepContext, err: unknown): StepOutcome {
  const { lake } = ctx.pipeline.spec;
  if (err instanceof LakeError && err.kind === 'bucket-missing') {
    return {
      conditions: [
        conditionFailed(
          'LakeReady',
          Reasons.BucketMissing,
          `Bucket ${lake.bucket} held this pipeline's lake and is gone, deleted outside the pipeline: the operator does not make it again empty in silence. Create the bucket (or restore it) to go on.`,
        ),
      ],
    };
  }
  if (err instanceof LakeError && err.kind === 'access-denied') {
    return {
      conditions: [
        conditionFailed(
          'LakeReady',
          Reasons.LakeAccessDenied,
          `${err.message}: fix LAKE_ACCESS_KEY/LAKE_SECRET_KEY in Secret ${lake.credentialsSecret} (spec.lake.credentialsSecret).`,
        ),
      ],
    };
  }
  const why =
    err instanceof LakeError || err instanceof DeadlineError
      ? err.message
      : `${lake.endpoint}: ${(err as Error).message}`;
  return {
    conditions: [
      conditionFailed(
        'LakeReady',
        Reasons.LakeUnreachable,
        `${why}: check spec.lake.endpoint and that the object store is up.`,
      ),
    ],
    retry: true,
  };
}

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
