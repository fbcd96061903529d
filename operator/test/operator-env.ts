import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { Registry } from 'prom-client';
import type { KubeClient } from '../src/kube/client.js';
import { imagesFor, type RunningOperator, startOperator } from '../src/operator.js';
import { kedaCrds } from './crds/keda.js';
import { strimziCrds } from './crds/strimzi.js';
import { createNamespace, createSecret, installCrd, pipelineCrd, testClient } from './kube-helpers.js';

export interface OperatorEnv {
  kube: KubeInstance;
  s3: S3Instance;
  client: KubeClient;
  operator: RunningOperator;
  stop(): Promise<void>;
}

/**
 * The real API server with the pipeline, Strimzi and KEDA CRDs, an S3 server, the namespaces and their lake
 * credentials, and the operator running against them (fast requeues for tests).
 */
export async function startOperatorEnv(options: {
  name: string;
  namespaces: string[];
  /** Namespaces that get the `lake-creds` Secret (default: every namespace). */
  lakeCredentialsIn?: string[];
  /** Runs before the operator starts (more Secrets, objects it should find at once). */
  prepare?: (client: KubeClient) => Promise<void>;
}): Promise<OperatorEnv> {
  const [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  const client = testClient(kube.kubeconfigPath);
  for (const crd of [pipelineCrd(), ...strimziCrds(), ...kedaCrds()]) await installCrd(client, crd);
  for (const ns of options.namespaces) await createNamespace(client, ns);
  for (const ns of options.lakeCredentialsIn ?? options.namespaces)
    await createSecret(client, ns, 'lake-creds', {
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
  await options.prepare?.(client);
  const operator = startOperator({
    kubeconfigPath: kube.kubeconfigPath,
    logger: createLogger({ name: options.name, level: process.env.LOG_LEVEL ?? 'warn' }),
    registry: new Registry(),
    images: imagesFor('registry.local/sp', 'test'),
    controller: { notReadyRequeueMs: 1000, backoffBaseMs: 100 },
    external: { recheckMs: 0 },
  });
  return {
    kube,
    s3,
    client,
    operator,
    async stop() {
      await operator.stop();
      client.close();
      await Promise.all([kube.stop(), s3.stop()]);
    },
  };
}
