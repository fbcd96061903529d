// The operator process: `node dist/src/main.js` in the image, `npm run -w @spotify-pipeline/operator start` locally.
import {
  ConfigError,
  createLogger,
  createRegistry,
  loadConfig,
  onShutdown,
  startOpsServer,
} from '@spotify-pipeline/shared';
import { operatorEnvSchema, workloadImages } from './config.js';
import { startOperator } from './operator.js';

let config: ReturnType<typeof loadConfig<typeof operatorEnvSchema>>;
let operator: ReturnType<typeof startOperator>;
const registry = createRegistry('spotify-pipeline-operator');
try {
  config = loadConfig(operatorEnvSchema);
} catch (err) {
  exitOnConfigError(err);
}
const logger = createLogger({ name: 'spotify-pipeline-operator', level: config.LOG_LEVEL });
try {
  operator = startOperator({
    kubeconfigPath: config.KUBECONFIG,
    logger,
    registry,
    images: workloadImages(config),
    controller: {
      workers: config.WORKERS,
      resyncMs: config.RESYNC_SECONDS * 1000,
      stepTimeoutMs: config.STEP_TIMEOUT_SECONDS * 1000,
      stallMs: config.STALL_SECONDS * 1000,
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
} catch (err) {
  exitOnConfigError(err);
}
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

/** A setting that cannot work is one clear line and exit code 1 (no stack trace, no retry loop). */
function exitOnConfigError(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`spotify-pipeline-operator: ${err.message}\n`);
  process.exit(1);
}
