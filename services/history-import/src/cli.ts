#!/usr/bin/env node
import { createLogger, runMain } from '@spotify-pipeline/shared';
import { createObjectStore } from '@spotify-pipeline/shared/object-store';
import {
  createIdempotentProducer,
  createPublisher,
  openSourceKafka,
} from '@spotify-pipeline/shared/publisher';
import {
  type HistoryImportEnv,
  historyImportEnvSchema,
  lakeEnv,
  loadWorkloadConfig,
} from '@spotify-pipeline/shared/workloads';
import { createFileTarget } from './file-target.js';
import { type ImportReport, importFiles } from './import.js';
import { type ExportInput, lakeInputs, localInputs } from './inputs.js';
import { HISTORY_IMPORT_FLAGS } from './options.js';

/** Exit code for input that retrying cannot fix (a Job's podFailurePolicy fails the Job at once on it). */
export const EXIT_BAD_INPUT = 3;

const LAKE_TIMEOUT_MS = 60_000;

async function findInputs(config: HistoryImportEnv): Promise<ExportInput[] | string> {
  const maxBytes = config.HISTORY_IMPORT_MAX_OBJECT_BYTES;
  if (config.HISTORY_IMPORT_PATHS) return localInputs(config.HISTORY_IMPORT_PATHS, maxBytes);
  const lake = lakeEnv(config);
  const prefix = config.HISTORY_IMPORT_PREFIX!;
  const found = await lakeInputs({
    client: createObjectStore(lake),
    bucket: lake.LAKE_BUCKET,
    prefix,
    maxBytes,
    timeoutMs: LAKE_TIMEOUT_MS,
  });
  if (found.inputs.length > 0) return found.inputs;
  const where = `s3://${lake.LAKE_BUCKET}/${prefix}`;
  return found.otherObjects > 0
    ? `no Streaming_History_Audio_*.json objects under ${where} (${found.otherObjects} other objects): upload the files of the Spotify export there`
    : `nothing under ${where}: upload the Streaming_History_Audio_*.json files of a Spotify export there`;
}

async function run(config: HistoryImportEnv, inputs: ExportInput[]): Promise<ImportReport> {
  const logger = createLogger({ name: 'history-import', destination: process.stderr });
  const deps = {
    logger,
    includeIncognito: config.HISTORY_IMPORT_INCLUDE_INCOGNITO,
    ...(config.HISTORY_IMPORT_USER ? { userId: config.HISTORY_IMPORT_USER } : {}),
  };
  logger.info(
    { files: inputs.length, bytes: inputs.reduce((n, i) => n + i.size, 0) },
    'importing export files',
  );
  if (config.HISTORY_IMPORT_OUT) {
    const target = createFileTarget(config.HISTORY_IMPORT_OUT);
    try {
      return await importFiles(inputs, { ...deps, target });
    } finally {
      target.close();
    }
  }
  const { kafka, topics } = await openSourceKafka(config, logger);
  const publisher = createPublisher({
    producer: createIdempotentProducer(kafka),
    logger,
    source: 'history_import',
    topics,
  });
  try {
    return await importFiles(inputs, { ...deps, target: publisher });
  } finally {
    await publisher.close();
  }
}

/** Settings from the environment (as the operator's Job sets them), flags and PATHs laid over it locally. */
async function main(argv: string[]): Promise<number> {
  const config = loadWorkloadConfig(historyImportEnvSchema, argv, HISTORY_IMPORT_FLAGS);
  if (config === 'answered') return 0;
  const inputs = await findInputs(config);
  if (typeof inputs === 'string') {
    process.stderr.write(`spotify-history-import: ${inputs}\n`);
    return EXIT_BAD_INPUT;
  }
  const report = await run(config, inputs);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.failedFiles.length > 0 ? EXIT_BAD_INPUT : 0;
}

runMain('spotify-history-import', () => main(process.argv.slice(2)));
