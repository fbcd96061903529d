import { createHash } from 'node:crypto';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import { sourceMemoryMi } from '../plan/capacity-plan.js';
import { type BuildContext, type ChildObject, childMeta, names, selectorLabels } from './context.js';
import { sourceEnv } from './source-env.js';
import { containerEnv } from './workload-env.js';
import { podTemplate } from './workloads.js';

/** The resource allows at most this many sources; indices past the list are removed sources. */
export const MAX_SOURCES = 8;

/** The import settings a Job ran with: a Job is replaced (and so re-run) only when they change. */
export const IMPORT_SETTINGS_ANNOTATION = 'pipeline.spotify-pipeline.io/import-settings';

/** Exit codes of the history import that no retry can fix: a wrong setting (2), unusable input (3). */
const NOT_RETRIABLE_EXIT_CODES = [2, 3];

/** Memory as the planner sizes it (sourceMemoryMi: grows with a simulator's rate, never past its ceiling). */
export function sourceResources(source: SourceSpec): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  const memory = binaryQuantity(sourceMemoryMi(source.type, source.eventsPerSecond).mi);
  return { requests: { cpu: '250m', memory }, limits: { memory } };
}

/**
 * Mebibytes in the API server's canonical form (the largest binary unit that keeps an integer: 1024Mi is
 * stored as 1Gi), so the object reads back as it was applied and a converged pipeline is not re-applied.
 */
function binaryQuantity(mi: number): string {
  if (mi % (1024 * 1024) === 0) return `${mi / (1024 * 1024)}Ti`;
  if (mi % 1024 === 0) return `${mi / 1024}Gi`;
  return `${mi}Mi`;
}

export type SourceWorkload = { index: number; source: SourceSpec; object: ChildObject };

/**
 * One workload per entry of spec.sources, named `<pipeline>-source-<index>`: a Deployment for the
 * simulator and the poller, a Job for the history import (it ends when the files are imported). Its whole
 * configuration is the env its service's schema reads (`sourceEnv`).
 */
export function buildSourceWorkloads(ctx: BuildContext): SourceWorkload[] {
  return ctx.pipeline.spec.sources.map((source, index) => ({
    index,
    source,
    object:
      source.type === 'history_import' ? importJob(ctx, index, source) : sourceDeployment(ctx, index, source),
  }));
}

function sourceContainer(ctx: BuildContext, index: number, source: SourceSpec) {
  return {
    name: 'source',
    image: ctx.images.sources[source.type],
    env: containerEnv(sourceEnv(ctx, index, source).env),
    resources: sourceResources(source),
  };
}

function sourceDeployment(ctx: BuildContext, index: number, source: SourceSpec): ChildObject {
  const { pipeline } = ctx;
  const component = `source-${index}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(pipeline, names.source(pipeline, index), component),
    spec: {
      replicas: source.replicas,
      selector: { matchLabels: selectorLabels(pipeline, component) },
      revisionHistoryLimit: 3,
      // The poller reads its listeners one by one and then sleeps: nothing to replace while it runs.
      ...(source.type === 'spotify_api' ? { strategy: { type: 'Recreate' } } : {}),
      // Only the simulator serves /healthz and /readyz.
      template: podTemplate(ctx, component, sourceContainer(ctx, index, source), {
        probed: source.type === 'simulator',
      }),
    },
  };
}

function importJob(ctx: BuildContext, index: number, source: SourceSpec): ChildObject {
  const { pipeline } = ctx;
  const component = `source-${index}`;
  const settings = createHash('sha256')
    .update(JSON.stringify(sourceEnv(ctx, index, source).env))
    .digest('hex')
    .slice(0, 16);
  const metadata = childMeta(pipeline, names.source(pipeline, index), component);
  metadata.annotations = { [IMPORT_SETTINGS_ANNOTATION]: settings };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 6 * 3600,
      // A wrong setting or unusable input fails the Job at once instead of retrying the same failure.
      podFailurePolicy: {
        rules: [
          {
            action: 'FailJob',
            onExitCodes: { containerName: 'source', operator: 'In', values: NOT_RETRIABLE_EXIT_CODES },
          },
        ],
      },
      template: podTemplate(ctx, component, sourceContainer(ctx, index, source), {
        probed: false,
        restartPolicy: 'Never',
      }),
    },
  };
}
