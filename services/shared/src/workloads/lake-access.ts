import type { z } from 'zod';
import { objectStoreEnvSchema } from '../object-store.js';

/**
 * The lake settings of a workload that needs the lake only in some modes (the history import reading a
 * prefix, the poller keeping its cursors there): optional in the shape, required by `requireLake`.
 */
export const optionalLakeShape = objectStoreEnvSchema.partial().extend({
  LAKE_REGION: objectStoreEnvSchema.shape.LAKE_REGION,
}).shape;

const REQUIRED = ['LAKE_ENDPOINT', 'LAKE_BUCKET', 'LAKE_ACCESS_KEY', 'LAKE_SECRET_KEY'] as const;

type OptionalLake = { [K in (typeof REQUIRED)[number]]?: string | undefined };

export function requireLake(config: OptionalLake, ctx: z.RefinementCtx, because: string): void {
  for (const name of REQUIRED)
    if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required ${because}` });
}

/** The object-store settings once `requireLake` has passed. */
export function lakeEnv(
  config: OptionalLake & { LAKE_REGION: string },
): z.infer<typeof objectStoreEnvSchema> {
  return objectStoreEnvSchema.parse(config);
}
