import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@spotify-pipeline/shared';
import { ConfigError } from '@spotify-pipeline/shared';
import type { Registry } from 'prom-client';
import type { Images } from './builders/context.js';
import type { ExternalTimeouts } from './controller/deps.js';
import { LeaderElector } from './controller/leader-election.js';
import { createOperatorMetrics } from './controller/metrics.js';
import { type ControllerOptions, PipelineController } from './controller/pipeline-controller.js';
import { deleteExternalTopic, ensureExternalTopic } from './external/external-kafka.js';
import { countExportFiles, deleteLake, ensureLake } from './external/lake.js';
import { KubeClient } from './kube/client.js';
import {
  ServedVersionKube,
  STRIMZI_GROUP,
  STRIMZI_PREFERRED_VERSIONS,
  servedVersions,
} from './kube/served-version.js';

const FIELD_MANAGER = 'spotify-pipeline-operator';

export interface OperatorOptions {
  kubeconfigPath?: string | undefined;
  logger: Logger;
  registry: Registry;
  images: Images;
  leaderElection?: {
    namespace: string;
    name: string;
    identity: string;
    leaseDurationMs?: number;
    renewEveryMs?: number;
  };
  controller?: Omit<ControllerOptions, 'deps' | 'metrics'>;
  /** Deadlines of object-store and Kafka calls, and how long a successful check is reused. */
  external?: Partial<ExternalTimeouts>;
  /** Deadline of one API server request. */
  apiTimeoutMs?: number;
}

export interface RunningOperator {
  readonly client: KubeClient;
  readonly isLeader: () => boolean;
  /** Serving: a standby, or a leader whose controller has synced and whose queue moves. */
  readonly ready: () => boolean;
  /** Null while the leader's work queue moves; otherwise why it is stalled (then /healthz answers 503). */
  readonly unhealthy: () => string | null;
  controller(): PipelineController | undefined;
  stop(): Promise<void>;
}

/** Every workload image from one registry and tag, for tests and benchmarks (main.ts: workloadImages). */
export function imagesFor(registry: string, tag: string): Images {
  return {
    sources: {
      simulator: `${registry}/simulator:${tag}`,
      spotify_api: `${registry}/spotify-poller:${tag}`,
      history_import: `${registry}/history-import:${tag}`,
    },
    lakeWriter: `${registry}/lake-writer:${tag}`,
    loader: `${registry}/loader:${tag}`,
    transformer: `${registry}/loader:${tag}`,
    insights: `${registry}/insights:${tag}`,
  };
}

/**
 * Wires the operator: one KubeClient, the metrics, and (while this replica leads) one controller. Losing
 * the lease stops the controller; winning it again starts a fresh one with fresh caches.
 */
export function startOperator(options: OperatorOptions): RunningOperator {
  const kc = new KubeConfig();
  if (options.kubeconfigPath) kc.loadFromFile(options.kubeconfigPath);
  else kc.loadFromDefault();
  // With nothing to load, client-node silently points at http://localhost:8080; say what to do instead.
  if (
    !options.kubeconfigPath &&
    !process.env.KUBERNETES_SERVICE_HOST &&
    kc.getCurrentCluster()?.server === 'http://localhost:8080'
  ) {
    throw new ConfigError(
      'no Kubernetes API server configured: set KUBECONFIG (or ~/.kube/config), or run in a cluster',
    );
  }
  const client = new KubeClient({
    kubeConfig: kc,
    fieldManager: FIELD_MANAGER,
    ...(options.apiTimeoutMs ? { requestTimeoutMs: options.apiTimeoutMs } : {}),
  });
  const metrics = createOperatorMetrics(options.registry);
  const logger = options.logger.child({ component: 'operator' });
  // Strimzi objects go out in the newest kafka.strimzi.io version the cluster serves (v1, or v1beta2 before 0.49).
  const strimzi = new ServedVersionKube(client, {
    group: STRIMZI_GROUP,
    canonical: 'v1',
    preferred: STRIMZI_PREFERRED_VERSIONS,
    discover: () => servedVersions((method, path) => client.request(method, path), STRIMZI_GROUP),
  });
  const deps = {
    client: strimzi,
    strimziApiVersion: () => strimzi.servedApiVersion(),
    logger,
    images: options.images,
    lake: { ensure: ensureLake, remove: deleteLake, exportFiles: countExportFiles },
    kafka: { ensureTopic: ensureExternalTopic, deleteTopic: deleteExternalTopic },
    timeouts: {
      lakeMs: 10_000,
      kafkaMs: 15_000,
      deleteMs: 10 * 60_000,
      recheckMs: 5 * 60_000,
      ...options.external,
    },
  };
  let controller: PipelineController | undefined;
  let stopping: Promise<void> = Promise.resolve();
  // A lease renewal still in flight when stop() is called may report leadership afterwards: ignore it.
  let closed = false;
  const lead = () => {
    if (closed) return;
    metrics.leader.set(1);
    controller = new PipelineController({ deps, metrics, ...options.controller });
    controller.start();
  };
  const unlead = () => {
    metrics.leader.set(0);
    const c = controller;
    controller = undefined;
    stopping = c ? c.stop() : Promise.resolve();
  };
  const elector = options.leaderElection
    ? new LeaderElector({
        client,
        logger,
        ...options.leaderElection,
        onStartedLeading: lead,
        onStoppedLeading: unlead,
      })
    : undefined;
  if (elector) elector.start();
  else lead();
  return {
    client,
    isLeader: () => controller !== undefined,
    ready: () => (elector ? !elector.isLeader || (controller?.ready ?? false) : (controller?.ready ?? false)),
    unhealthy: () => controller?.stallReason() ?? null,
    controller: () => controller,
    async stop() {
      closed = true;
      unlead();
      await stopping;
      await elector?.release();
      client.close();
    },
  };
}
