import { readFileSync } from 'node:fs';
import { ConfigError, formatIssues } from '@spotify-pipeline/shared';
import { type SpotifyListener, spotifyListenersSchema } from '@spotify-pipeline/shared/workloads';
import type { ListenerProfile } from './map.js';

export interface PolledListener extends ListenerProfile {
  /** Reads the configured refresh token when needed; the value is never kept in a log-visible place. */
  refreshToken(): string;
}

/** A listeners file (local runs), validated by the same schema as SPOTIFY_POLLER_LISTENERS. */
export function readListenersFile(path: string): SpotifyListener[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`listeners file ${path}: ${(err as Error).message}`);
  }
  const parsed = spotifyListenersSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`listeners file ${path}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Each listener names where its refresh token is (a file, e.g. a mounted Secret, or an environment variable
 * the operator fills from a Secret); the listener list never holds a token itself. A missing token fails
 * that listener's poll only.
 */
export function pollListeners(
  listeners: SpotifyListener[],
  env: NodeJS.ProcessEnv = process.env,
): PolledListener[] {
  return listeners.map((l) => ({
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
