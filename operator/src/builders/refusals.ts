import { insightsEnvSchema, lakeWriterEnvSchema, loaderEnvSchema } from '@spotify-pipeline/shared/workloads';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import type { BuildContext } from './context.js';
import { insightsEnv } from './insights.js';
import { lakeWriterEnv } from './lake-writer-env.js';
import { loaderEnv } from './loader-env.js';
import { sourceEnv } from './source-env.js';
import { envRefusal } from './workload-env.js';

// Each workload's own env schema applied to the env the operator builds for it: what the service would
// refuse at start is reported on the pipeline instead of shipped as a pod that exits at once.

export const lakeWriterRefusal = (ctx: BuildContext) => envRefusal(lakeWriterEnvSchema, lakeWriterEnv(ctx));

export function sourceRefusal(ctx: BuildContext, index: number, source: SourceSpec): string | null {
  const { schema, env } = sourceEnv(ctx, index, source);
  return envRefusal(schema, env as never);
}

export const loaderRefusal = (ctx: BuildContext) =>
  ctx.pipeline.spec.warehouse ? envRefusal(loaderEnvSchema, loaderEnv(ctx)) : null;

export const insightsRefusal = (ctx: BuildContext) =>
  ctx.pipeline.spec.insights.enabled && ctx.pipeline.spec.warehouse
    ? envRefusal(insightsEnvSchema, insightsEnv(ctx))
    : null;
