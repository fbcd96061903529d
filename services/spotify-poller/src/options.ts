import { type FlagTable, SOURCE_TOPIC_FLAGS } from '@spotify-pipeline/shared/workloads';

/** Each flag sets one variable of `spotifyPollerEnvSchema`; the schema alone holds defaults and limits. */
export const POLLER_FLAGS: FlagTable = {
  command: {
    name: 'spotify-poller',
    usage: '[options]',
    summary: "Publishes listeners' Spotify recently-played tracks as listening events.",
    details: `Environment: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or SPOTIFY_CLIENT_SECRET_FILE),
SPOTIFY_POLLER_LISTENERS (the listeners JSON itself, instead of a file), SPOTIFY_ACCOUNTS_URL (default
https://accounts.spotify.com), SPOTIFY_API_URL (default https://api.spotify.com); cursors in the lake
(LAKE_ENDPOINT, LAKE_BUCKET, LAKE_ACCESS_KEY, LAKE_SECRET_KEY, SPOTIFY_POLLER_STATE_PREFIX) unless
--state-dir; KAFKA_BROKERS and the other KAFKA_* variables.`,
  },
  flags: {
    listeners: {
      type: 'string',
      env: 'SPOTIFY_POLLER_LISTENERS_FILE',
      arg: 'FILE',
      help: 'JSON list [{"user_id", "refresh_token_file" | "refresh_token_env", "country"?, "device"?}] (never a token)',
    },
    'state-dir': {
      type: 'string',
      env: 'SPOTIFY_POLLER_STATE_DIR',
      arg: 'DIR',
      help: 'keep per-listener cursors in files here instead of the lake',
    },
    interval: {
      type: 'string',
      env: 'SPOTIFY_POLLER_INTERVAL_SECONDS',
      arg: 'N',
      help: 'seconds between polls (default 60)',
    },
    once: { type: 'boolean', env: 'SPOTIFY_POLLER_ONCE', value: 'true', help: 'poll once and exit' },
    ...SOURCE_TOPIC_FLAGS,
  },
};
