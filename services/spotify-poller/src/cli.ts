#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createLogger, onShutdown, runMain } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import {
  createIdempotentProducer,
  createPublisher,
  openSourceKafka,
} from '@spotify-pipeline/shared/publisher';
import {
  lakeEnv,
  loadWorkloadConfig,
  type SpotifyPollerEnv,
  spotifyPollerEnvSchema,
} from '@spotify-pipeline/shared/workloads';
import { pollListeners, readListenersFile } from './listeners.js';
import { POLLER_FLAGS } from './options.js';
import { createPoller } from './poller.js';
import { createSpotifyClient } from './spotify-client.js';
import { createStateStore } from './state.js';
import { type BlobStore, dirBlobs, lakeBlobs } from './state-blobs.js';

function stateBlobs(config: SpotifyPollerEnv): BlobStore {
  if (config.SPOTIFY_POLLER_STATE_DIR) return dirBlobs(config.SPOTIFY_POLLER_STATE_DIR);
  const lake = lakeEnv(config);
  return lakeBlobs({
    client: createObjectStore(lake),
    bucket: lake.LAKE_BUCKET,
    prefix: config.SPOTIFY_POLLER_STATE_PREFIX,
    timeoutMs: 30_000,
  });
}

/** Settings from the environment (as the operator deploys it), flags laid over it for local runs. */
async function main(argv: string[]): Promise<number> {
  const config = loadWorkloadConfig(spotifyPollerEnvSchema, argv, POLLER_FLAGS);
  if (config === 'answered') return 0;
  const listeners = pollListeners(
    config.SPOTIFY_POLLER_LISTENERS ?? readListenersFile(config.SPOTIFY_POLLER_LISTENERS_FILE!),
  );
  const clientSecret =
    config.SPOTIFY_CLIENT_SECRET ?? readFileSync(config.SPOTIFY_CLIENT_SECRET_FILE!, 'utf8').trim();
  const logger = createLogger({ name: 'spotify-poller', destination: process.stderr });

  const { kafka, topics } = await openSourceKafka(config, logger);
  const publisher = createPublisher({
    producer: createIdempotentProducer(kafka),
    logger,
    source: 'spotify_api',
    topics,
  });
  const poller = createPoller({
    client: createSpotifyClient({
      accountsUrl: config.SPOTIFY_ACCOUNTS_URL,
      apiUrl: config.SPOTIFY_API_URL,
      clientId: config.SPOTIFY_CLIENT_ID,
      clientSecret,
      logger,
    }),
    listeners,
    store: createStateStore({
      blobs: stateBlobs(config),
      clientSecret,
      onUnreadableToken: (userId) =>
        logger.warn(
          { userId },
          'stored rotated refresh token unreadable (client secret changed?): using the configured one',
        ),
    }),
    target: publisher,
    logger,
  });

  if (config.SPOTIFY_POLLER_ONCE) {
    const report = await poller.pollOnce();
    await publisher.close();
    return report.failedListeners > 0 ? 1 : 0;
  }
  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> = Promise.resolve();
  onShutdown(logger, async () => {
    stopping = true;
    wake?.();
    await loop;
    await publisher.close();
  });
  loop = (async () => {
    while (!stopping) {
      await poller.pollOnce();
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, config.SPOTIFY_POLLER_INTERVAL_SECONDS * 1000);
      });
    }
  })();
  await loop;
  return 0;
}

runMain('spotify-poller', () => main(process.argv.slice(2)));
