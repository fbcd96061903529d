import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type KubeInstance, makeWorkdir, runHelm, startKubeApiServer } from '../src/index.js';

const GROUP = 'smoke.spotify-pipeline.io';
const crd: k8s.V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  color: { type: 'string', _enum: ['red', 'blue'] },
                },
              },
            },
          },
        },
      },
    ],
  },
};

async function retryOn429<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: number }).code !== 429 || attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const widget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec,
});

describe('Kubernetes API server (etcd + kube-apiserver) through @kubernetes/client-node', () => {
  let kube: KubeInstance;
  let kc: k8s.KubeConfig;
  let objects: k8s.KubernetesObjectApi;
  let custom: k8s.CustomObjectsApi;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }, 240_000);
  afterAll(async () => {
    await kube?.stop();
  });

  it('installs a CRD and serves it once Established', async () => {
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: crd });
    for (let i = 0; i < 50; i++) {
      const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('CRD never became Established');
  });

  it('creates, server-side applies, watches and deletes a custom resource', async () => {
    const events: string[] = [];
    // Watch from the list's resourceVersion, as a controller must: a watch with none starts "now" and can miss
    // what happens while it is being set up.
    // Right after a CRD is Established its watch cache may still be starting ("storage is (re)initializing",
    // 429 with Retry-After): a client retries, as the operator's queue does.
    const list = (await retryOn429(() =>
      custom.listNamespacedCustomObject({
        group: GROUP,
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
      }),
    )) as { metadata: { resourceVersion: string } };
    const watch = new k8s.Watch(kc);
    const request = await watch.watch(
      `/apis/${GROUP}/v1/namespaces/default/widgets`,
      { resourceVersion: list.metadata.resourceVersion },
      (type, obj: { spec?: { size?: number } }) => events.push(`${type}:${obj.spec?.size}`),
      () => {},
    );

    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: widget('w1', { size: 1 }),
    });
    const applied = await objects.patch(
      widget('w1', { size: 3, color: 'blue' }) as k8s.KubernetesObject,
      undefined,
      undefined,
      'smoke-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((applied as { spec: { size: number } }).spec.size).toBe(3);
    expect(
      applied.metadata?.managedFields?.some((f) => f.manager === 'smoke-test' && f.operation === 'Apply'),
    ).toBe(true);

    await custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      name: 'w1',
    });
    for (let i = 0; i < 50 && !events.includes('DELETED:3'); i++)
      await new Promise((r) => setTimeout(r, 100));
    request.abort();
    expect(events).toEqual(['ADDED:1', 'MODIFIED:3', 'DELETED:3']);
  });

  it("rejects an object that breaks the CRD's schema, naming the field", async () => {
    const attempt = custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: widget('bad', { size: 0, color: 'green' }),
    });
    await expect(attempt).rejects.toThrow(
      /spec\.size.*greater than or equal to 1|spec\.color.*Unsupported value/s,
    );
  });

  it('helm templates and installs a chart into it', async () => {
    const home = makeWorkdir('helm');
    const chart = join(import.meta.dirname, 'fixtures/tiny-chart');
    try {
      const lint = await runHelm(['lint', chart], { home: home.path });
      expect(lint.code, lint.stderr).toBe(0);
      const rendered = await runHelm(
        ['template', 'demo', chart, '--kube-version', '1.34.0', '--set', 'greeting=hi'],
        {
          home: home.path,
        },
      );
      expect(rendered.stdout).toContain('name: demo-tiny');
      expect(rendered.stdout).toContain('greeting: "hi"');

      const install = await runHelm(['install', 'demo', chart, '--namespace', 'default', '--wait=false'], {
        home: home.path,
        kubeconfig: kube.kubeconfigPath,
      });
      expect(install.code, install.stderr).toBe(0);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const cm = await core.readNamespacedConfigMap({ name: 'demo-tiny', namespace: 'default' });
      expect(cm.data?.greeting).toBe('hello');
      const uninstall = await runHelm(['uninstall', 'demo', '--namespace', 'default'], {
        home: home.path,
        kubeconfig: kube.kubeconfigPath,
      });
      expect(uninstall.code, uninstall.stderr).toBe(0);
    } finally {
      home.remove();
    }
  });

  it('is really what answers: a client pointed at a closed port fails', async () => {
    const closed = new k8s.KubeConfig();
    closed.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${await freePort()}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    await expect(closed.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toThrow();
  });
});
