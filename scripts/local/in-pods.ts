import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Cluster, type PostgresInstance, startCluster, startPostgres } from '@spotify-pipeline/harness';
import { startPipelineInPods } from '../kubernetes/pipeline-in-pods.js';
import { reconcile, reconciliationLines } from './reconcile.js';

export interface InPodsOptions {
  listeners: number;
  rate: number;
  seconds: number;
  out: string;
  once: boolean;
  log: (line: string) => void;
}

/**
 * `npm start -- --kubernetes`: the same pipeline in pods on a single-node cluster started here (harness
 * `startCluster`): the operator from the chart, the simulator and lake writers it deploys, the scheduled load and
 * transform jobs into PostgreSQL; Kafka, the S3 server and PostgreSQL are processes on the node's host address.
 * After `seconds` of streaming the simulator is scaled to 0 and gold is reconciled with its ground truth.
 */
export async function runInPods(o: InPodsOptions): Promise<void> {
  const { log } = o;
  let cluster: Cluster | undefined;
  let postgres: PostgresInstance | undefined;
  // One teardown, whoever asks first (Ctrl-C, a failure, the end of an --once run).
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= (async () => {
      await postgres?.destroy();
      await cluster?.stop();
    })();
    return stopped;
  };
  const onSignal = () => {
    log('stopping: removing the cluster and everything it made ...');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log('starting a single-node Kubernetes cluster with Kafka, an S3 server and an image registry ...');
    cluster = await startCluster({ log });
    postgres = await startPostgres({ host: cluster.addresses.hostAddress });
    mkdirSync(o.out, { recursive: true });
    const kubeconfig = join(o.out, 'kubeconfig');
    copyFileSync(cluster.kubeconfigPath, kubeconfig);
    log(`PostgreSQL at ${postgres.host}:${postgres.port}; kubectl --kubeconfig ${kubeconfig} ...`);
    const pipeline = await startPipelineInPods({
      cluster,
      postgres,
      log,
      users: o.listeners,
      eventsPerSecond: o.rate,
    });
    await pipeline.waitUntilReady();
    log(`pipeline Ready; the simulator streams at ${o.rate} events/s for ${o.seconds} s ...`);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const { truth, runs } = await pipeline.stopSimulator();
    log(`simulator scaled to 0: ${truth.events.toLocaleString('en-US')} events published in ${runs} run(s)`);
    await pipeline.waitForLakeDrain();
    const drained = Date.now();
    log(
      'lake writers: every event is in the lake; waiting for the next scheduled transform job (load + dbt) ...',
    );
    const result = reconcile(await pipeline.waitForGold(drained), truth);
    log('gold vs the simulator ground truth, events per type:');
    const lines = reconciliationLines(result, truth);
    for (const line of lines.slice(0, -1)) console.log(line);
    log(lines.at(-1)!);
    log('kubectl get spl,pods,jobs:');
    console.log((await pipeline.overview()).trimEnd());
    if (!result.matches) throw new Error(lines.at(-1));
    if (o.once) {
      await stopAll();
      log('done (--once): the cluster and everything it made are gone');
      return;
    }
    log(`the cluster keeps running until Ctrl-C: kubectl --kubeconfig ${kubeconfig} get spl,pods,jobs -A`);
    await new Promise(() => setInterval(() => {}, 60_000));
  } catch (err) {
    await stopAll();
    throw err;
  }
}
