import { z } from 'zod';
import { env } from '../config.js';
import { COUNTRY_CODES } from '../contract/countries.js';
import { DEVICE_TYPES } from '../contract/listening-event.js';
import { optionalLakeShape, requireLake } from './lake-access.js';
import { requireBrokers, sourceKafkaShape } from './source-env.js';

/** An env variable name, as a listener's `refresh_token_env` names it. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be an environment variable name');

/**
 * One polled listener. It says where the refresh token is (a file, e.g. a mounted Secret, or an env variable
 * the operator fills from a Secret with secretKeyRef), never the token itself.
 */
const spotifyListenerSchema = z
  .object({
    user_id: z.string().min(1).max(256),
    refresh_token_file: z.string().min(1).optional(),
    refresh_token_env: envName.optional(),
    // Unknown (null) unless configured: the recently-played endpoint does not say where a track played.
    country: z
      .enum(COUNTRY_CODES, { error: 'must be an assigned ISO-3166-1 alpha-2 code such as GB' })
      .nullable()
      .default(null),
    device: z.enum(DEVICE_TYPES).default('mobile'),
  })
  .strict()
  .refine((l) => (l.refresh_token_file === undefined) !== (l.refresh_token_env === undefined), {
    message: 'give exactly one of refresh_token_file and refresh_token_env',
  });

export const spotifyListenersSchema = z
  .array(spotifyListenerSchema)
  .min(1, 'list at least one listener')
  .max(10_000, 'at most 10000 listeners per poller')
  .refine((ls) => new Set(ls.map((l) => l.user_id)).size === ls.length, 'user_id values must be unique');
export type SpotifyListener = z.infer<typeof spotifyListenerSchema>;

const listenersJson = z
  .string()
  .max(4 * 1024 * 1024, 'must be at most 4 MiB of JSON')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not JSON: ${(err as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(spotifyListenersSchema);

/**
 * Everything the Spotify poller reads from its environment (its flags set the same variables). Cursors (and
 * refresh tokens Spotify rotates, encrypted) are kept in the lake under SPOTIFY_POLLER_STATE_PREFIX, so they
 * survive a pod restart on a read-only root filesystem; SPOTIFY_POLLER_STATE_DIR keeps them in local files.
 */
export const spotifyPollerEnvSchema = z
  .object({
    ...sourceKafkaShape,
    ...optionalLakeShape,
    SPOTIFY_CLIENT_ID: z.string().min(1, 'is required: the Spotify app client id'),
    SPOTIFY_CLIENT_SECRET: z.string().min(1).optional(),
    SPOTIFY_CLIENT_SECRET_FILE: z.string().min(1).optional(),
    SPOTIFY_ACCOUNTS_URL: z.url().default('https://accounts.spotify.com'),
    SPOTIFY_API_URL: z.url().default('https://api.spotify.com'),
    /** JSON list of listeners (see spotifyListenerSchema) ... */
    SPOTIFY_POLLER_LISTENERS: listenersJson.optional(),
    /** ... or a file holding it. */
    SPOTIFY_POLLER_LISTENERS_FILE: z.string().min(1).optional(),
    SPOTIFY_POLLER_INTERVAL_SECONDS: z.coerce
      .number()
      .min(1, 'must be at least 1')
      .max(86_400, 'must be at most 86400')
      .default(60),
    SPOTIFY_POLLER_ONCE: env.bool(false),
    SPOTIFY_POLLER_STATE_DIR: z.string().min(1).optional(),
    SPOTIFY_POLLER_STATE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9!_.*'()/-]{1,512}$/, 'must be an object-key prefix such as state/spotify-poller/')
      .default('state/spotify-poller/'),
  })
  .superRefine((config, ctx) => {
    requireBrokers(config, ctx);
    if (!config.SPOTIFY_CLIENT_SECRET === !config.SPOTIFY_CLIENT_SECRET_FILE)
      ctx.addIssue({
        code: 'custom',
        path: ['SPOTIFY_CLIENT_SECRET'],
        message: 'set exactly one of SPOTIFY_CLIENT_SECRET and SPOTIFY_CLIENT_SECRET_FILE',
      });
    if (!config.SPOTIFY_POLLER_LISTENERS === !config.SPOTIFY_POLLER_LISTENERS_FILE)
      ctx.addIssue({
        code: 'custom',
        path: ['SPOTIFY_POLLER_LISTENERS'],
        message: 'set exactly one of SPOTIFY_POLLER_LISTENERS (JSON) and SPOTIFY_POLLER_LISTENERS_FILE',
      });
    if (!config.SPOTIFY_POLLER_STATE_DIR)
      requireLake(config, ctx, 'to keep cursors in the lake (or set SPOTIFY_POLLER_STATE_DIR)');
  });
export type SpotifyPollerEnv = z.infer<typeof spotifyPollerEnvSchema>;
