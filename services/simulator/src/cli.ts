#!/usr/bin/env node
import {
  ConfigError,
  createLogger,
  createRegistry,
  loadConfig,
  type OpsServer,
  onShutdown,
  startOpsServer,
} from '@spotify-pipeline/shared';
import { createKafka, kafkaEnvSchema } from '@spotify-pipeline/shared/kafka';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
  type Publisher,
} from '@spotify-pipeline/shared/publisher';
import { HELP, parseSimulatorArgs } from './options.js';
import { runSimulator } from './run.js';
import { createFileSink, createNullSink, createPublisherSink, type OutputSink } from './sinks.js';

async function main(argv: string[]): Promise<number> {
  const options = parseSimulatorArgs(argv);
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const logger = createLogger({ name: 'simulator', destination: process.stderr });
  const registry = createRegistry('simulator');
  let sink: OutputSink;
  let publisher: Publisher | undefined;
  if (options.out) sink = createFileSink(options.out);
  else if (options.dryRun) sink = createNullSink();
  else {
    const kafka = createKafka(loadConfig(kafkaEnvSchema), logger);
    if (options.createTopics) {
      await ensureContractTopics(kafka, {
        partitions: options.partitions,
        topicPrefix: options.topicPrefix,
        logger,
      });
    }
    const publishers = Array.from({ length: options.producers }, () =>
      createPublisher({
        producer: createIdempotentProducer(kafka),
        logger,
        registry,
        source: 'simulator',
        topicPrefix: options.topicPrefix,
      }),
    );
    publisher = publishers[0];
    sink = createPublisherSink(publishers);
  }
  let ops: OpsServer | undefined;
  if (options.metricsPort !== undefined) {
    ops = await startOpsServer({ port: options.metricsPort, registry, ready: () => true });
  }
  const abort = new AbortController();
  const run = runSimulator(options, {
    sink,
    logger,
    signal: abort.signal,
    ...(publisher ? { publisher } : {}),
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? `spotify-simulator: ${err.message}\n`
        : `spotify-simulator: ${(err as Error).stack}\n`,
    );
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
