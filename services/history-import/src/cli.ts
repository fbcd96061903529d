#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, formatIssues, loadConfig } from '@spotify-pipeline/shared';
import { createKafka, kafkaEnvSchema } from '@spotify-pipeline/shared/kafka';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
} from '@spotify-pipeline/shared/publisher';
import { z } from 'zod';
import { createFileTarget } from './file-target.js';
import { expandPaths, importFiles } from './import.js';

const HELP = `spotify-history-import: publish Spotify extended streaming-history exports as listening events.

Usage: spotify-history-import [options] PATH...

PATH is a Streaming_History_Audio_*.json file or a folder holding them (the "Spotify Extended Streaming
History" download). Each music row becomes a play event and a skip/complete event with stable ids, so
importing the same file twice gives the same event ids. Podcast, empty and private-session rows are
skipped and counted; rows that are not valid export rows go to the dead-letter topic with the reason.

Options
  --user ID              user_id for the events (default: each row's "username")
  --include-incognito    also import private-session plays (Spotify leaves them out of Wrapped)
  --out PATH             write JSON Lines to PATH (rejected rows to PATH.dlq.jsonl) instead of Kafka
  --create-topics        create missing contract topics first (local runs)
  --topic-prefix P       prefix for every topic name
  -h, --help             show this help

Kafka connection: KAFKA_BROKERS and the other KAFKA_* variables. Logs are JSON on stderr; the final
report is JSON on stdout. Exit code 1 if a file could not be read.
`;

const optionsSchema = z.object({
  user: z.string().min(1).max(256).optional(),
  includeIncognito: z.boolean().default(false),
  out: z.string().min(1).optional(),
  createTopics: z.boolean().default(false),
  topicPrefix: z.string().default(''),
  paths: z
    .array(z.string())
    .min(1, 'give at least one export file or folder')
    .refine((paths) => paths.every(existsSync), 'every PATH must exist'),
});

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        user: { type: 'string' },
        'include-incognito': { type: 'boolean' },
        out: { type: 'string' },
        'create-topics': { type: 'boolean' },
        'topic-prefix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; see --help`);
  }
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const result = optionsSchema.safeParse({
    user: parsed.values.user,
    includeIncognito: parsed.values['include-incognito'],
    out: parsed.values.out,
    createTopics: parsed.values['create-topics'],
    topicPrefix: parsed.values['topic-prefix'],
    paths: parsed.positionals,
  });
  if (!result.success) throw new ConfigError(`invalid options: ${formatIssues(result.error)}; see --help`);
  const options = result.data;
  const logger = createLogger({ name: 'history-import', destination: process.stderr });
  const files = expandPaths(options.paths);
  const deps = {
    logger,
    includeIncognito: options.includeIncognito,
    ...(options.user ? { userId: options.user } : {}),
  };

  let report: Awaited<ReturnType<typeof importFiles>>;
  if (options.out) {
    const target = createFileTarget(options.out);
    report = await importFiles(files, { ...deps, target });
    target.close();
  } else {
    const kafka = createKafka(loadConfig(kafkaEnvSchema), logger);
    if (options.createTopics) {
      await ensureContractTopics(kafka, { partitions: 6, topicPrefix: options.topicPrefix, logger });
    }
    const publisher = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      source: 'history_import',
      topicPrefix: options.topicPrefix,
    });
    try {
      report = await importFiles(files, { ...deps, target: publisher });
    } finally {
      await publisher.close();
    }
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.failedFiles.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : (err as Error).stack;
    process.stderr.write(`spotify-history-import: ${message}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
