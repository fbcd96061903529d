import { type KubeInstance, type S3Instance, startKubeApiServer, startS3 } from '@spotify-pipeline/harness';
import type { KubeClient } from '@spotify-pipeline/operator/kube/client';
import { kedaCrds } from '@spotify-pipeline/operator/testing/crds/keda';
import { strimziCrds } from '@spotify-pipeline/operator/testing/crds/strimzi';
import {
  createNamespace,
  createSecret,
  installCrd,
  pipelineCrd,
  testClient,
} from '@spotify-pipeline/operator/testing/kube-helpers';

export interface BenchCluster {
  kube: KubeInstance;
  s3: S3Instance;
  /** The bench's own client (field manager `fieldManager`). */
  admin: KubeClient;
  /** The client simulateCluster writes status with (field manager 'cluster-simulator'). */
  simulator: KubeClient;
  /** Closes both clients and stops the kube-apiserver and the S3 server (stop the simulator first). */
  stop(): Promise<void>;
}

/**
 * The harness's kube-apiserver and S3 server, ready for the operator's benchmarks: the SpotifyPipeline,
 * Strimzi and KEDA CRDs installed; `namespace` with a `lake-creds` Secret for the S3 server; and
 * `kafkaNamespace` with a KafkaNodePool of 3 brokers for each name in `pools`.
 */
export async function startBenchCluster(options: {
  fieldManager: string;
  namespace: string;
  kafkaNamespace: string;
  pools: string[];
}): Promise<BenchCluster> {
  const { namespace, kafkaNamespace } = options;
  const [kube, s3] = await Promise.all([startKubeApiServer(), startS3()]);
  const admin = testClient(kube.kubeconfigPath, options.fieldManager);
  const simulator = testClient(kube.kubeconfigPath, 'cluster-simulator');
  await installCrd(admin, pipelineCrd());
  for (const crd of [...strimziCrds(), ...kedaCrds()]) await installCrd(admin, crd);
  await createNamespace(admin, namespace);
  await createNamespace(admin, kafkaNamespace);
  await createSecret(admin, namespace, 'lake-creds', {
    LAKE_ACCESS_KEY: s3.accessKey,
    LAKE_SECRET_KEY: s3.secretKey,
  });
  for (const pool of options.pools)
    await admin.apply({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: pool, namespace: kafkaNamespace },
      spec: { replicas: 3, roles: ['broker'], storage: { type: 'ephemeral' } },
    } as never);
  return {
    kube,
    s3,
    admin,
    simulator,
    async stop() {
      admin.close();
      simulator.close();
      await Promise.all([kube.stop(), s3.stop()]);
    },
  };
}
