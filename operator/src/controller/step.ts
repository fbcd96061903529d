import type { BuildContext } from '../builders/context.js';
import type { PipelineStatus } from '../crd/spotify-pipeline.js';
import { KubeApiError, KubeTimeoutError } from '../kube/api.js';
import type { ClaimView } from './claims.js';
import { type ConditionReport, conditionFailed, Reasons, type StepConditionType } from './conditions.js';
import type { ReconcileDeps, SecretData } from './deps.js';

/** Everything a step may read: the pipeline, its plan and images, and its status before this pass. */
export interface StepContext extends BuildContext {
  /** namespace/name of the pipeline. */
  key: string;
  previous: Readonly<PipelineStatus>;
  /** Topics and lake prefixes this pipeline owns, and the ones another pipeline owns (claims.ts). */
  claims: ClaimView;
  /** The pass's reads of the pipeline's Secrets, shared by its steps (absent: each step reads its own). */
  secrets?: Map<string, Promise<SecretData | null>>;
}

/**
 * What one step found and did: its condition(s), the status fields it reports, and when to look again.
 * A step never writes status itself; the pass merges every step's outcome and writes once.
 */
export interface StepOutcome {
  conditions: ConditionReport[];
  status?: Partial<PipelineStatus>;
  /** Look again after this long even if no watch event comes (waiting on another controller). */
  requeueAfterMs?: number;
  /** Something transient failed: look again with backoff. */
  retry?: boolean;
  /** Claims recorded earlier that are dealt with and let go of (every other recorded claim is kept). */
  releasedClaims?: string[];
}

export interface ReconcileStep {
  /** Short name for logs and messages: lake, topics, brokers, workloads, schedule. */
  name: string;
  /** The condition this step owns: a throw or a timeout is reported there. */
  condition: StepConditionType;
  run(deps: ReconcileDeps, ctx: StepContext): Promise<StepOutcome>;
}

export interface StepRunOptions {
  timeoutMs: number;
  /**
   * Steps of earlier passes that outlived their deadline and still run, by `key|step`. One pipeline never
   * has two runs of a step at once: a step that is still running is reported, not started again.
   */
  stragglers: Map<string, Promise<unknown>>;
  /** Called when a straggler finally settles (the pipeline is worth another look then). */
  onStragglerSettled?: (key: string) => void;
}

/** Runs one step within its deadline; a throw or a timeout becomes that step's failed condition. */
export async function runStep(
  step: ReconcileStep,
  deps: ReconcileDeps,
  ctx: StepContext,
  options: StepRunOptions,
): Promise<StepOutcome> {
  const id = `${ctx.key}|${step.name}`;
  const seconds = options.timeoutMs / 1000;
  if (options.stragglers.has(id)) {
    return {
      conditions: [
        conditionFailed(
          step.condition,
          Reasons.StepTimedOut,
          `The ${step.name} step of an earlier pass is still running after ${seconds}s: a call it makes does not answer. It is not started twice; the pipeline is looked at again when it ends.`,
        ),
      ],
    };
  }
  let timer: NodeJS.Timeout | undefined;
  const running = Promise.resolve().then(() => step.run(deps, ctx));
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    const result = await Promise.race([running, timedOut]);
    if (result !== 'timeout') return result;
    options.stragglers.set(id, running);
    running
      .catch((err: unknown) =>
        deps.logger.warn({ err, pipeline: ctx.key, step: step.name }, 'timed-out step failed later'),
      )
      .finally(() => {
        options.stragglers.delete(id);
        options.onStragglerSettled?.(ctx.key);
      });
    deps.logger.warn({ pipeline: ctx.key, step: step.name, timeoutMs: options.timeoutMs }, 'step timed out');
    return {
      conditions: [
        conditionFailed(
          step.condition,
          Reasons.StepTimedOut,
          `The ${step.name} step did not finish within ${seconds}s: a call it makes does not answer. It is retried.`,
        ),
      ],
      retry: true,
    };
  } catch (err) {
    deps.logger.warn({ err, pipeline: ctx.key, step: step.name }, 'step failed');
    return outcomeOfError(step, err);
  } finally {
    clearTimeout(timer);
  }
}

/** A step's exception as its condition: the API server's own message when it refused a request. */
function outcomeOfError(step: ReconcileStep, err: unknown): StepOutcome {
  if (err instanceof KubeApiError && (err.rejected || err.statusCode === 404)) {
    return {
      conditions: [
        conditionFailed(
          step.condition,
          Reasons.ApiServerRejected,
          `The API server refused a request of the ${step.name} step: ${err.status.message ?? err.message}`,
        ),
      ],
    };
  }
  if (err instanceof KubeApiError || err instanceof KubeTimeoutError) {
    return {
      conditions: [
        conditionFailed(
          step.condition,
          Reasons.ApiServerUnavailable,
          `A request of the ${step.name} step did not complete (${err.message}); it is retried.`,
        ),
      ],
      retry: true,
    };
  }
  return {
    conditions: [
      conditionFailed(
        step.condition,
        Reasons.StepFailed,
        `The ${step.name} step failed: ${(err as Error).message ?? String(err)}. It is retried.`,
      ),
    ],
    retry: true,
  };
}
