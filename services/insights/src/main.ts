#!/usr/bin/env node
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  createRegistry,
  loadConfig,
  onShutdown,
  runCli,
  settingsHelp,
} from '@spotify-pipeline/shared';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { type InsightsEnv, insightsEnvSchema } from '@spotify-pipeline/shared/workloads';
import { createAnswerCache } from './cache.js';
import { createLagProbe } from './lake-writer-lag.js';
import { createGoldReader } from './readers/create-reader.js';
import { createInsightsServer } from './server.js';

/** Where `npm run build:web` puts the dashboard: services/insights/dist/web, from src/ or dist/src/. */
function defaultWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, here.endsWith(join('dist', 'src')) ? '..' : '../dist', 'web');
}

const USAGE = `Usage: spotify-insights
Serves the insights API (/api/v1, described at /api/openapi.json) and the dashboard over the gold tables.
Settings come from the environment (docs/insights.md): WAREHOUSE (duckdb|postgres|snowflake), DUCKDB_PATH (the
read-only gold snapshot the loader publishes), POSTGRES_*, SNOWFLAKE_*, INSIGHTS_HOST, INSIGHTS_PORT,
INSIGHTS_QUERY_TIMEOUT_MS, INSIGHTS_CACHE_SECONDS, INSIGHTS_REFRESH_POLL_MS, INSIGHTS_WEB_DIR, and optionally
KAFKA_BROKERS for the lake writer's lag.
`;

/** Process entry point: config from env, the warehouse reader, the HTTP server, SIGTERM handling. */
async function main(): Promise<0 | undefined> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = createLogger({ name: 'insights' });
  const config: InsightsEnv = loadConfig(insightsEnvSchema);

  const reader = await createGoldReader(config, logger);
  const brokers = config.KAFKA_BROKERS;
  const lag = brokers
    ? createLagProbe({
        admin: createKafka({ ...config, KAFKA_BROKERS: brokers }, logger).admin(),
        groupId: config.INSIGHTS_LAG_GROUP_ID,
        topic: config.INSIGHTS_LAG_TOPIC,
        timeoutMs: Math.min(config.INSIGHTS_QUERY_TIMEOUT_MS, 5000),
        cacheMs: 5000,
        logger,
      })
    : null;
  const app = await createInsightsServer({
    reader,
    cache: createAnswerCache({
      ttlMs: config.INSIGHTS_CACHE_SECONDS * 1000,
      maxEntries: config.INSIGHTS_CACHE_ENTRIES,
    }),
    lag,
    maxAgeSeconds: Math.min(config.INSIGHTS_CACHE_SECONDS, 10),
    bronzeSchema: config.warehouse.bronzeSchema,
    today: () => new Date().toISOString().slice(0, 10),
    logger,
    registry: createRegistry('insights'),
    webDir: config.INSIGHTS_WEB_DIR ?? defaultWebDir(),
  });
  onShutdown(logger, async () => {
    await app.close();
    await lag?.stop();
    await reader.close();
  });
  const address = await app.listen({ host: config.INSIGHTS_HOST, port: config.INSIGHTS_PORT });
  const unavailable = reader.unavailableReason();
  logger.info(
    { address, warehouse: config.WAREHOUSE, ...(unavailable ? { waitingFor: unavailable } : {}) },
    `insights listening on ${address}`,
  );
}

runCli(
  {
    name: 'spotify-insights',
    usage: '',
    summary: 'Serves the insights API and the dashboard (Wrapped, top charts, live) from the gold tables.',
    options: {},
    details: settingsHelp(insightsEnvSchema),
  },
  main,
);
