import { join } from 'node:path';
import { type Cluster, repoRoot, runHelm } from '@spotify-pipeline/harness';

export const RELEASE = 'spotify-pipeline';
export const RELEASE_NAMESPACE = 'spotify-pipeline';
/** The chart's fullname for this release: the operator Deployment and its leader-election Lease. */
export const OPERATOR_NAME = 'spotify-pipeline-operator';

/**
 * `helm install` of the chart: the operator (two replicas, leader election) from the cluster's registry, and
 * the workload images it deploys from the same registry and tag. Waits until the operator is available.
 */
export async function installOperator(options: {
  cluster: Cluster;
  tag: string;
  helmHome: string;
}): Promise<void> {
  const repository = `${options.cluster.registry.host}/spotify-pipeline`;
  const result = await runHelm(
    [
      'install',
      RELEASE,
      join(repoRoot, 'charts/spotify-pipeline'),
      '--namespace',
      RELEASE_NAMESPACE,
      '--create-namespace',
      '--set',
      `image.repository=${repository}/operator`,
      '--set',
      `image.tag=${options.tag}`,
      '--set',
      `operator.workloadImageRegistry=${repository}`,
      '--set',
      `operator.workloadImageTag=${options.tag}`,
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
