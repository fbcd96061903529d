import { join } from 'node:path';
import { type BuiltImage, type Cluster, repoRoot, runHelm } from '@spotify-pipeline/harness';

const RELEASE = 'spotify-pipeline';
export const RELEASE_NAMESPACE = 'spotify-pipeline';
/** The chart's fullname for this release: the operator Deployment and its leader-election Lease. */
export const OPERATOR_NAME = 'spotify-pipeline-operator';

/** The chart's value path of each image we build (the loader image also runs the transform). */
const IMAGE_VALUES: Record<string, string> = {
  operator: 'image',
  simulator: 'images.simulator',
  'spotify-poller': 'images.spotifyPoller',
  'history-import': 'images.historyImport',
  'lake-writer': 'images.lakeWriter',
  loader: 'images.loader',
};

/**
 * `helm install` of the chart: the operator (two replicas, leader election) and the workload images it deploys,
 * each by the digest that was built and pushed to the cluster's registry. Waits until the operator is available.
 */
export async function installOperator(options: {
  cluster: Cluster;
  images: BuiltImage[];
  helmHome: string;
}): Promise<void> {
  const sets = options.images.flatMap((image) => {
    const path = IMAGE_VALUES[image.name];
    if (!path) throw new Error(`the chart takes no image named ${image.name}`);
    return ['--set', `${path}.repository=${image.repository}`, '--set', `${path}.digest=${image.digest}`];
  });
  const result = await runHelm(
    [
      'install',
      RELEASE,
      join(repoRoot, 'charts/spotify-pipeline'),
      '--namespace',
      RELEASE_NAMESPACE,
      '--create-namespace',
      ...sets,
      '--wait',
      '--timeout',
      '5m',
    ],
    { home: options.helmHome, kubeconfig: options.cluster.kubeconfigPath },
  );
  if (result.code !== 0) throw new Error(`helm install failed: ${result.stderr || result.stdout}`);
}

export async function uninstallOperator(options: { cluster: Cluster; helmHome: string }): Promise<void> {
  const result = await runHelm(['uninstall', RELEASE, '--namespace', RELEASE_NAMESPACE, '--wait'], {
    home: options.helmHome,
    kubeconfig: options.cluster.kubeconfigPath,
  });
  if (result.code !== 0) throw new Error(`helm uninstall failed: ${result.stderr || result.stdout}`);
}
