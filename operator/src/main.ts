// The operator process: `node dist/src/main.js` in the image, `npm run -w @spotify-pipeline/operator start` locally.
import {
  createLogger,
  createRegistry,
  loadConfig,
  onShutdown,
  startOpsServer,
} from '@spotify-pipeline/shared';
import { operatorEnvSchema } from './config.js';
import { imagesFor, startOperator } from './operator.js';

const config = loadConfig(operatorEnvSchema);
const logger = createLogger({ name: 'spotify-pipeline-operator', level: config.LOG_LEVEL });
const registry = createRegistry('spotify-pipeline-operator');
const operator = startOperator({
  kubeconfigPath: config.KUBECONFIG,
  logger,
  registry,
  images: imagesFor(config.IMAGE_REGISTRY, config.IMAGE_TAG),
  controller: { workers: config.WORKERS, resyncMs: config.RESYNC_SECONDS * 1000 },
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
const ops = await startOpsServer({ port: config.OPS_PORT, registry, ready: operator.ready });
logger.info({ port: ops.port, identity: config.POD_NAME }, 'operator started');
onShutdown(logger, async () => {
  await operator.stop();
  await ops.close();
});
