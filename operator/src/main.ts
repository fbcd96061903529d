// The operator process: `node dist/src/main.js` in the image, `npm run -w @spotify-pipeline/operator start` locally.
import {
  createLogger,
  createRegistry,
  loadConfig,
  onShutdown,
  runCli,
  settingsHelp,
  startOpsServer,
} from '@spotify-pipeline/shared';
import { operatorEnvSchema, workloadImages } from './config.js';
import { startOperator } from './operator.js';

/** Starts the operator; a setting that cannot work is one line naming it and exit code 2 (runCli). */
async function main(): Promise<undefined> {
  const config = loadConfig(operatorEnvSchema);
  const registry = createRegistry('spotify-pipeline-operator');
  const logger = createLogger({ name: 'spotify-pipeline-operator', level: config.LOG_LEVEL });
  const operator = startOperator({
    kubeconfigPath: config.KUBECONFIG,
    logger,
    registry,
    images: workloadImages(config),
    controller: {
      workers: config.WORKERS,
      resyncMs: config.RESYNC_SECONDS * 1000,
      stepTimeoutMs: config.STEP_TIMEOUT_SECONDS * 1000,
      stallMs: config.STALL_SECONDS * 1000,
      watchNamespaces: config.WATCH_NAMESPACES,
    },
    apiTimeoutMs: config.API_TIMEOUT_SECONDS * 1000,
    ...(config.LEADER_ELECTION
      ? {
          leaderElection: {
            namespace: config.OPERATOR_NAMESPACE,
            name: config.LEASE_NAME,
            identity: config.POD_NAME,
          },
        }
      : {}),
  });
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    registry,
    ready: operator.ready,
    unhealthy: operator.unhealthy,
  });
  logger.info({ port: ops.port, identity: config.POD_NAME }, 'operator started');
  onShutdown(logger, async () => {
    await operator.stop();
    await ops.close();
  });
  return undefined;
}

runCli(
  {
    name: 'spotify-pipeline-operator',
    usage: '',
    summary:
      'Reconciles SpotifyPipeline resources: topics, broker pools, lake writers, buckets and schedules.',
    options: {},
    details: `The Helm chart sets these from its values (charts/spotify-pipeline/README.md).\n\n${settingsHelp(operatorEnvSchema)}`,
  },
  main,
);
