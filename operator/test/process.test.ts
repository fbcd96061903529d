import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, type KubeInstance, startKubeApiServer } from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient, KubeObject } from '../src/kube/client.js';
import { installCrd, pipelineCrd, testClient, waitFor } from './kube-helpers.js';

// The operator as it runs in its image: the compiled entry point (built by `tsc -b`), its own process.
const main = resolve(import.meta.dirname, '../dist/src/main.js');

let kube: KubeInstance;
let client: KubeClient;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: build it with \`npx tsc -b\``);
  kube = await startKubeApiServer();
  client = testClient(kube.kubeconfigPath);
  await installCrd(client, pipelineCrd());
}, 240_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  client?.close();
  await kube?.stop();
});

type Lease = KubeObject & { spec?: { holderIdentity?: string | null } };

describe('operator process', () => {
  it('serves health, readiness and metrics, holds the Lease, and on SIGTERM releases it and exits 0', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        KUBECONFIG: kube.kubeconfigPath,
        OPERATOR_NAMESPACE: 'default',
        POD_NAME: 'operator-0',
        OPS_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    await waitFor(
      'readyz',
      async () => (await fetch(url('/readyz')).catch(() => null))?.status === 200,
      30_000,
    );
    expect((await fetch(url('/healthz'))).status).toBe(200);
    const lease = await waitFor('lease held', async () => {
      const l = await client.getOrNull<Lease>({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: 'default',
        name: 'spotify-pipeline-operator',
      });
      return l?.spec?.holderIdentity === 'operator-0' ? l : null;
    });
    expect(lease).toBeTruthy();
    const metrics = await (await fetch(url('/metrics'))).text();
    for (const name of [
      'spotify_pipeline_operator_reconcile_duration_seconds',
      'spotify_pipeline_operator_workqueue_depth',
      'spotify_pipeline_operator_leader 1',
    ]) {
      expect(metrics).toContain(name);
    }

    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    const released = await client.get<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'default',
      name: 'spotify-pipeline-operator',
    });
    expect(released.spec?.holderIdentity ?? null).toBeNull();
  });
});
