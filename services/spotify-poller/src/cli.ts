#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, formatIssues, loadConfig, onShutdown } from '@spotify-pipeline/shared';
import { createKafka, kafkaEnvSchema } from '@spotify-pipeline/shared/kafka';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
} from '@spotify-pipeline/shared/publisher';
import { z } from 'zod';
import { loadListeners } from './listeners.js';
import { createPoller } from './poller.js';
import { createSpotifyClient } from './spotify-client.js';
import { createStateStore } from './state.js';

const HELP = `spotify-poller: publish listeners' Spotify recently-played tracks as listening events.

Usage: spotify-poller --listeners FILE [options]

  --listeners FILE     JSON list: [{"user_id", "refresh_token_file" | "refresh_token_env", "country"?, "device"?}]
                       (tokens are read from the named file or variable, never from this file)
  --state-dir DIR      per-listener cursor files (default .spotify-poller-state)
  --interval N         seconds between polls (default 60)
  --once               poll once and exit
  --create-topics      create missing contract topics first (local runs)
  --topic-prefix P     prefix for every topic name
  -h, --help           show this help

Environment: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or SPOTIFY_CLIENT_SECRET_FILE),
SPOTIFY_ACCOUNTS_URL (default https://accounts.spotify.com), SPOTIFY_API_URL (default
https://api.spotify.com), and KAFKA_BROKERS with the other KAFKA_* variables.
`;

const envSchema = z
  .object({
    SPOTIFY_CLIENT_ID: z.string().min(1),
    SPOTIFY_CLIENT_SECRET: z.string().min(1).optional(),
    SPOTIFY_CLIENT_SECRET_FILE: z.string().min(1).optional(),
    SPOTIFY_ACCOUNTS_URL: z.url().default('https://accounts.spotify.com'),
    SPOTIFY_API_URL: z.url().default('https://api.spotify.com'),
  })
  .refine((e) => e.SPOTIFY_CLIENT_SECRET || e.SPOTIFY_CLIENT_SECRET_FILE, {
    message: 'set SPOTIFY_CLIENT_SECRET or SPOTIFY_CLIENT_SECRET_FILE',
    path: ['SPOTIFY_CLIENT_SECRET'],
  });

const optionsSchema = z.object({
  listeners: z.string({ error: '--listeners FILE is required' }).min(1),
  stateDir: z.string().min(1).default('.spotify-poller-state'),
  interval: z.coerce.number().positive().default(60),
  once: z.boolean().default(false),
  createTopics: z.boolean().default(false),
  topicPrefix: z.string().default(''),
});

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        listeners: { type: 'string' },
        'state-dir': { type: 'string' },
        interval: { type: 'string' },
        once: { type: 'boolean' },
        'create-topics': { type: 'boolean' },
        'topic-prefix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; see --help`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const parsed = optionsSchema.safeParse({
    listeners: values.listeners,
    stateDir: values['state-dir'],
    interval: values.interval,
    once: values.once,
    createTopics: values['create-topics'],
    topicPrefix: values['topic-prefix'],
  });
  if (!parsed.success) throw new ConfigError(`invalid options: ${formatIssues(parsed.error)}; see --help`);
  const options = parsed.data;
  const env = loadConfig(envSchema);
  const listeners = loadListeners(options.listeners);
  const logger = createLogger({ name: 'spotify-poller', destination: process.stderr });

  const kafka = createKafka(loadConfig(kafkaEnvSchema), logger);
  if (options.createTopics) {
    await ensureContractTopics(kafka, { partitions: 6, topicPrefix: options.topicPrefix, logger });
  }
  const publisher = createPublisher({
    producer: createIdempotentProducer(kafka),
    logger,
    source: 'spotify_api',
    topicPrefix: options.topicPrefix,
  });
  const poller = createPoller({
    client: createSpotifyClient({
      accountsUrl: env.SPOTIFY_ACCOUNTS_URL,
      apiUrl: env.SPOTIFY_API_URL,
      clientId: env.SPOTIFY_CLIENT_ID,
      clientSecret: env.SPOTIFY_CLIENT_SECRET ?? readFileSync(env.SPOTIFY_CLIENT_SECRET_FILE!, 'utf8').trim(),
      logger,
    }),
    listeners,
    store: createStateStore(options.stateDir),
    target: publisher,
    logger,
  });

  if (options.once) {
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
        setTimeout(resolve, options.interval * 1000);
      });
    }
  })();
  await loop;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : (err as Error).stack;
    process.stderr.write(`spotify-poller: ${message}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
