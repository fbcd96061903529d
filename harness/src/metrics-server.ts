import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Cluster } from './cluster.js';
import { writeOciArchive } from './node/oci-image.js';
import { componentPaths, componentVersions, requireComponent } from './paths.js';
import { waitUntil } from './ports.js';
import { makeWorkdir } from './workdir.js';

/**
 * metrics-server in a pod on a test cluster, from its own manifests (`kubectl kustomize` of manifests/base of
 * the module the installer fetched), its image built here from the installer's binary, with
 * `--kubelet-insecure-tls` as metrics-server's own test overlay adds (the kubelet's serving certificate is
 * self-signed). Resolves once the API server serves metrics.k8s.io and the node has a CPU figure.
 */
export async function installMetricsServer(
  cluster: Cluster,
  options: { log?: (line: string) => void } = {},
): Promise<{ seconds: number }> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const paths = componentPaths();
  const binary = requireComponent(paths.metricsServer, 'metrics-server');
  const manifests = requireComponent(paths.metricsServerManifests, 'metrics-server');
  const image = `localhost/spotify-pipeline/metrics-server:${componentVersions().METRICS_SERVER_VERSION}`;
  const work = makeWorkdir('metrics-server-image');
  try {
    const archive = join(work.path, 'image.tar');
    writeOciArchive({
      name: image,
      files: [{ source: binary, path: '/metrics-server' }],
      entrypoint: ['/metrics-server'],
      user: '1000:1000',
      workdir: work.path,
      archive,
    });
    await cluster.importImage(archive);
  } finally {
    work.remove();
  }
  const rendered = await cluster.kubectl(['kustomize', join(manifests, 'base')], { timeoutMs: 120_000 });
  const objects = parseAllDocuments(rendered)
    .map((d) => d.toJSON() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
  for (const object of objects) {
    if (object.kind !== 'Deployment') continue;
    const spec = object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
    for (const container of spec.template.spec.containers) {
      container.image = image;
      container.imagePullPolicy = 'IfNotPresent';
      container.args = [...((container.args as string[]) ?? []), '--kubelet-insecure-tls'];
    }
  }
  await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    timeoutMs: 120_000,
  });
  await waitUntil(
    'metrics-server to serve the node CPU (kubectl top node)',
    async () =>
      (
        await cluster
          .kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'], { timeoutMs: 30_000 })
          .catch(() => '')
      ).includes('"cpu"'),
    {
      timeoutMs: 300_000,
      intervalMs: 2000,
      logHint: () => 'kubectl -n kube-system describe pods -l k8s-app=metrics-server; kubectl get apiservice',
    },
  );
  const seconds = (Date.now() - started) / 1000;
  log(`[metrics-server] serving resource metrics after ${seconds.toFixed(1)} s`);
  return { seconds };
}
