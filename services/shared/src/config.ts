import { z } from 'zod';
import { formatIssues } from './contract/validate.js';
import { ConfigError } from './errors.js';

/**
 * Reads a service's settings from the environment through its zod schema. Every problem is listed in one
 * message that names the variable, so a misconfigured pod says exactly what to fix at start.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success)
    throw new ConfigError(`invalid configuration: ${formatIssues(result.error, 20, 4000)}`);
  return result.data;
}

/** Environment helpers: env values are strings, these turn them into typed settings with clear messages. */
export const env = {
  int: (fallback?: number) => {
    const base = z.coerce.number().int();
    return fallback === undefined ? base : base.default(fallback);
  },
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  list: () =>
    z
      .string()
      .min(1)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  url: () => z.url(),
};
