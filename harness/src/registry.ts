import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, requireComponent } from './paths.js';
import { freePort, waitUntil } from './ports.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface RegistryInstance {
  /** `address:port`, the first part of every image reference pushed here (plain HTTP, no auth). */
  readonly host: string;
  /** http://address:port */
  readonly url: string;
  /** The manifest digest (sha256:…) the registry serves for `repository:reference`, or undefined. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** The manifest itself (OCI or Docker v2), for layer sizes. */
  manifest(repository: string, reference: string): Promise<ImageManifest>;
  stop(): Promise<void>;
}

interface ImageManifest {
  mediaType?: string;
  config: { digest: string; size: number };
  layers: Array<{ digest: string; size: number; mediaType: string }>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * A local image registry: Debian's docker-registry (distribution 2.8) over plain HTTP, storing in a fresh
 * folder. `address` is where it listens (loopback by default; a bridge address if pods must reach it too).
 */
export async function startRegistry(options: { address?: string } = {}): Promise<RegistryInstance> {
  const binary = requireComponent(componentPaths().dockerRegistry, 'image-tools');
  const address = options.address ?? '127.0.0.1';
  const dir = makeWorkdir('registry');
  const port = await freePort();
  const config = join(dir.path, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir.path, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "${address}:${port}", secret: ${randomBytes(16).toString('hex')} }`,
      '',
    ].join('\n'),
  );
  const server: ManagedProcess = startProcess({
    name: 'docker-registry',
    command: binary,
    args: ['serve', config],
    logFile: join(dir.path, 'registry.log'),
  });
  const host = `${address}:${port}`;
  const url = `http://${host}`;
  await waitUntil(
    'the image registry to answer /v2/',
    async () => {
      if (server.exited()) throw new Error('docker-registry exited');
      return (await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) })).ok;
    },
    { timeoutMs: 30_000, logHint: () => server.tail() },
  );

  const getManifest = (repository: string, reference: string, method: 'GET' | 'HEAD') =>
    fetch(`${url}/v2/${repository}/manifests/${reference}`, {
      method,
      headers: { accept: MANIFEST_TYPES },
      signal: AbortSignal.timeout(10_000),
    });
  return {
    host,
    url,
    async manifestDigest(repository, reference) {
      const res = await getManifest(repository, reference, 'HEAD');
      return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async manifest(repository, reference) {
      const res = await getManifest(repository, reference, 'GET');
      if (!res.ok)
        throw new Error(`registry ${host}: no manifest ${repository}:${reference} (${res.status})`);
      return (await res.json()) as ImageManifest;
    },
    stop: async () => {
      await server.stop(5000);
      dir.remove();
    },
  };
}
