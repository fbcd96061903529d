#!/usr/bin/env node
import {
  createLogger,
  createRegistry,
  type OpsServer,
  onShutdown,
  runMain,
  startOpsServer,
} from '@spotify-pipeline/shared';
import {
  createIdempotentProducer,
  createPublisher,
  openSourceKafka,
  type Publisher,
} from '@spotify-pipeline/shared/publisher';
import {
  lakeEnv,
  loadWorkloadConfig,
  simulatorEnvSchema,
  writesCatalogFilesOnly,
} from '@spotify-pipeline/shared/workloads';
import { groundTruthKey, writeGroundTruthToLake } from './ground-truth-lake.js';
import { SIMULATOR_FLAGS, simulatorOptions } from './options.js';
import { runSimulator } from './run.js';
import { createFileSink, createNullSink, createPublisherSink, type OutputSink } from './sinks.js';

/** Settings from the environment (as the operator deploys it), flags laid over it for local runs. */
async function main(argv: string[]): Promise<number> {
  const config = loadWorkloadConfig(simulatorEnvSchema, argv, SIMULATOR_FLAGS);
  if (config === 'answered') return 0;
  const logger = createLogger({ name: 'simulator', destination: process.stderr });
  const registry = createRegistry('simulator');
  let sink: OutputSink;
  let publisher: Publisher | undefined;
  if (config.SIMULATOR_OUT) sink = createFileSink(config.SIMULATOR_OUT);
  else if (config.SIMULATOR_DRY_RUN || writesCatalogFilesOnly(config)) sink = createNullSink();
  else {
    const { kafka, topics } = await openSourceKafka(config, logger);
    const publishers = Array.from({ length: config.SIMULATOR_PRODUCERS }, () =>
      createPublisher({
        producer: createIdempotentProducer(kafka),
        logger,
        registry,
        source: 'simulator',
        topics,
      }),
    );
    publisher = publishers[0];
    sink = createPublisherSink(publishers);
  }
  let ops: OpsServer | undefined;
  if (config.OPS_PORT !== undefined) {
    ops = await startOpsServer({ port: config.OPS_PORT, registry, ready: () => true });
  }
  const abort = new AbortController();
  const options = simulatorOptions(config);
  const prefix = config.SIMULATOR_GROUND_TRUTH_PREFIX;
  const run = runSimulator(options, {
    sink,
    logger,
    signal: abort.signal,
    ...(publisher ? { publisher } : {}),
  }).then(async (result) => {
    // Only after every event was flushed to Kafka: the summary counts what was published, nothing more.
    if (prefix && result.summary) {
      const key = groundTruthKey(prefix, options.runId);
      await writeGroundTruthToLake(lakeEnv(config), key, result.summary);
      logger.info(
        { bucket: config.LAKE_BUCKET, key, events: result.events },
        'ground truth written to the lake',
      );
    }
  });
  onShutdown(logger, async () => {
    abort.abort();
    await run;
    await ops?.close();
  });
  await run;
  await ops?.close();
  return 0;
}

runMain('spotify-simulator', () => main(process.argv.slice(2)));
