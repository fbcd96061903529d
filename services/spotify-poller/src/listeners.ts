import { readFileSync } from 'node:fs';
import { ConfigError, DEVICE_TYPES, formatIssues } from '@spotify-pipeline/shared';
import { z } from 'zod';
import type { ListenerProfile } from './map.js';

const listenerSchema = z
  .object({
    user_id: z.string().min(1).max(256),
    refresh_token_file: z.string().min(1).optional(),
    refresh_token_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be ISO-3166-1 alpha-2 such as GB')
      .default('ZZ'),
    device: z.enum(DEVICE_TYPES).default('mobile'),
  })
  .strict()
  .refine((l) => (l.refresh_token_file === undefined) !== (l.refresh_token_env === undefined), {
    message: 'give exactly one of refresh_token_file and refresh_token_env',
  });

export const listenersFileSchema = z.array(listenerSchema).min(1, 'list at least one listener');

export interface PolledListener extends ListenerProfile {
  /** Reads the configured refresh token when needed; the value is never kept in a log-visible place. */
  refreshToken(): string;
}

/**
 * The listeners file names each listener and where its refresh token is (a file, e.g. a mounted Secret, or
 * an environment variable); it never holds a token itself.
 */
export function loadListeners(path: string, env: NodeJS.ProcessEnv = process.env): PolledListener[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`listeners file ${path}: ${(err as Error).message}`);
  }
  const parsed = listenersFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`listeners file ${path}: ${formatIssues(parsed.error)}`);
  return parsed.data.map((l) => ({
    userId: l.user_id,
    country: l.country,
    device: l.device,
    refreshToken: () => {
      const token = l.refresh_token_file
        ? readFileSync(l.refresh_token_file, 'utf8').trim()
        : (env[l.refresh_token_env!] ?? '').trim();
      if (!token) {
        throw new ConfigError(
          `no refresh token for ${l.user_id}: ${l.refresh_token_file ? `file ${l.refresh_token_file} is empty` : `${l.refresh_token_env} is not set`}`,
        );
      }
      return token;
    },
  }));
}
