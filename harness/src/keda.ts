import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Cluster } from './cluster.js';
import { writeOciArchive } from './node/oci-image.js';
import { componentPaths, componentVersions, requireComponent } from './paths.js';
import { waitUntil } from './ports.js';
import { makeWorkdir } from './workdir.js';

export interface KedaInstallation {
  readonly namespace: string;
  /** The image both KEDA pods run (the operator's and the metrics adapter's static binaries). */
  readonly image: string;
  /** Seconds from start to the external-metrics APIService being Available. */
  readonly seconds: number;
}

/** The images KEDA's manifests name, each replaced by the one image built here. */
const UPSTREAM_IMAGES = ['ghcr.io/kedacore/keda:', 'ghcr.io/kedacore/keda-metrics-apiserver:'];

/**
 * KEDA in pods on a test cluster, installed as KEDA documents it, from its own manifests: `kubectl kustomize`
 * of the `config/minimal` overlay of the KEDA module the installer fetched (CRDs, RBAC, the operator and the
 * external-metrics API server with its APIService; no admission webhooks), with the upstream image replaced by
 * one built here from the two binaries the installer compiled (a one-layer image, as for the node's CoreDNS).
 * Resolves once both Deployments are available and the API server serves external.metrics.k8s.io.
 */
export async function installKeda(
  cluster: Cluster,
  options: { log?: (line: string) => void } = {},
): Promise<KedaInstallation> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const paths = componentPaths();
  const version = componentVersions().KEDA_VERSION;
  const binaries = [
    { source: requireComponent(paths.kedaOperator, 'keda'), path: '/keda' },
    { source: requireComponent(paths.kedaAdapter, 'keda'), path: '/keda-adapter' },
  ];
  const config = requireComponent(paths.kedaConfig, 'keda-config');
  const image = `localhost/spotify-pipeline/keda:${version}`;
  const work = makeWorkdir('keda-image');
  try {
    const archive = join(work.path, 'image.tar');
    writeOciArchive({
      name: image,
      files: binaries,
      entrypoint: ['/keda'],
      user: '65532:65532',
      workdir: work.path,
      archive,
    });
    await cluster.importImage(archive);
  } finally {
    work.remove();
  }
  log(`[keda] image ${image} imported; applying KEDA ${version}'s config/minimal`);

  const rendered = await cluster.kubectl(['kustomize', join(config, 'minimal')], { timeoutMs: 120_000 });
  const objects = parseAllDocuments(rendered)
    .map((d) => d.toJSON() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
  for (const object of objects) useLocalImage(object, image);
  await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    timeoutMs: 120_000,
  });

  const namespace = 'keda';
  for (const deployment of ['keda-operator', 'keda-metrics-apiserver']) {
    await waitUntil(
      `KEDA's ${deployment} to be available`,
      async () =>
        (
          await cluster.kubectl([
            'get',
            'deployment',
            '-n',
            namespace,
            deployment,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Available")].status}',
          ])
        ).trim() === 'True',
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
        logHint: () =>
          `kubectl -n ${namespace} describe pods; kubectl -n ${namespace} logs deploy/${deployment}`,
      },
    );
  }
  await waitUntil(
    'the API server to serve external.metrics.k8s.io through KEDA',
    async () =>
      (
        await cluster.kubectl([
          'get',
          'apiservice',
          'v1beta1.external.metrics.k8s.io',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Available")].status}',
        ])
      ).trim() === 'True',
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  const seconds = (Date.now() - started) / 1000;
  log(`[keda] operator and metrics API server available in ${seconds.toFixed(1)} s`);
  return { namespace, image, seconds };
}

function useLocalImage(object: Record<string, unknown>, image: string): void {
  if (object.kind !== 'Deployment') return;
  const spec = object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
  for (const container of spec.template.spec.containers) {
    const upstream = String(container.image);
    if (!UPSTREAM_IMAGES.some((prefix) => upstream.startsWith(prefix)))
      throw new Error(`KEDA's manifests name an image this install does not build: ${upstream}`);
    container.image = image;
    container.imagePullPolicy = 'IfNotPresent';
  }
}
