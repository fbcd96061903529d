import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { MANIFEST_PATH } from '../src/crd/generate.js';
import { KubeClient, type KubeObject } from '../src/kube/client.js';

export function testClient(kubeconfigPath: string, fieldManager = 'integration-test'): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return new KubeClient({ kubeConfig: kc, fieldManager });
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function installCrd(client: KubeClient, crd: { metadata: { name: string } }): Promise<void> {
  await client.apply(crd as never);
  await waitFor(`CRD ${crd.metadata.name} established`, async () => {
    const got = await client.get<
      KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }
    >({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: crd.metadata.name,
    });
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  // Established can come a moment before the REST endpoint serves.
  await new Promise((r) => setTimeout(r, 1500));
}

export function pipelineCrd(): { metadata: { name: string } } {
  return parse(readFileSync(MANIFEST_PATH, 'utf8')) as { metadata: { name: string } };
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export async function createSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  data: Record<string, string>,
) {
  await client.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as never);
}
