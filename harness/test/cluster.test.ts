import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImages,
  type Cluster,
  componentPaths,
  makeWorkdir,
  repoRoot,
  startCluster,
  waitUntil,
} from '../src/index.js';
import { findLeftovers, type RunTraces } from '../src/node/leftovers.js';

const log = (line: string) => console.log(line);

describe('a single-node cluster (startCluster): kubelet on containerd + runc, CNI bridge, kube-proxy, CoreDNS', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ log });
  }, 600_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs a Deployment of an image built here and pulled from the registry, behind a Service pods reach by name', async () => {
    // A tiny image: the node's static test server, built with buildah and pushed to the cluster's registry.
    const context = makeWorkdir('tiny-image');
    copyFileSync(componentPaths().nodeTools, join(context.path, 'sp-node-tools'));
    writeFileSync(
      join(context.path, 'Dockerfile'),
      'FROM scratch AS echo\nCOPY sp-node-tools /echo\nUSER 65532:65532\nENTRYPOINT ["/echo"]\n',
    );
    const [image] = await buildImages({
      registry: cluster.registry,
      context: context.path,
      names: ['echo'],
      log,
    });
    context.remove();
    expect(image!.reference.startsWith(`${cluster.addresses.hostAddress}:`)).toBe(true);
    const labels = { app: 'echo' };
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'echo', namespace: 'default' },
            spec: {
              replicas: 2,
              selector: { matchLabels: labels },
              template: {
                metadata: { labels },
                spec: {
                  containers: [
                    {
                      name: 'echo',
                      image: image!.reference,
                      imagePullPolicy: 'IfNotPresent',
                      args: ['serve', '--port', '8080'],
                      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
                      securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
                    },
                  ],
                },
              },
            },
          },
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'echo', namespace: 'default' },
            spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
          },
        ],
      }),
    });
    await cluster.kubectl(['rollout', 'status', 'deployment/echo', '--timeout=180s'], { timeoutMs: 200_000 });
    const pods = JSON.parse(await cluster.kubectl(['get', 'pods', '-l', 'app=echo', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string }; status: { phase: string; podIP: string } }>;
    };
    expect(pods.items.map((p) => p.status.phase)).toEqual(['Running', 'Running']);
    // Pulled by containerd from the registry (nothing was imported under that name).
    const events = await cluster.kubectl([
      'get',
      'events',
      '--field-selector',
      'reason=Pulled',
      '-o',
      'json',
    ]);
    expect(events).toContain(image!.reference);
    const podNetwork = cluster.addresses.podCidr.replace(/\.0\/24$/, '.');
    for (const pod of pods.items) expect(pod.status.podIP.startsWith(podNetwork)).toBe(true);

    const s3 = new URL(cluster.s3.endpoint).host;
    const result = await cluster.runPod({
      name: 'client',
      args: [
        'probe',
        '--http',
        'http://echo.default.svc.cluster.local/',
        '--connect',
        cluster.kafka.bootstrap,
        '--connect',
        s3,
        '--deadline',
        '60s',
      ],
    });
    expect(result.logs).toMatch(/ok http http:\/\/echo\.default\.svc\.cluster\.local\/: ok echo-/);
    expect(result.logs).toContain(`ok connect ${cluster.kafka.bootstrap}`);
    expect(result.logs).toContain(`ok connect ${s3}`);
    expect(result.phase).toBe('Succeeded');
    // `kubectl logs` went API server -> kubelet on the node's address with the API server's client certificate.
    expect(await cluster.kubectl(['logs', 'deployment/echo'])).toBe('');
  });

  it('gives pods no way off the machine: no default route', async () => {
    // 192.0.2.1 is the VM's gateway; any address outside the node's prefixes is unreachable from a pod.
    const result = await cluster.runPod({
      name: 'escape',
      args: ['probe', '--connect', '192.0.2.1:53', '--deadline', '2s'],
    });
    expect(result.phase).toBe('Failed');
    expect(result.logs).toContain('network is unreachable');
  });

  it('keeps running pods through a kubelet restart', async () => {
    const before = await cluster.kubectl([
      'get',
      'pods',
      '-l',
      'app=echo',
      '-o',
      'jsonpath={.items[*].metadata.uid}',
    ]);
    await cluster.restartKubelet();
    const result = await cluster.runPod({
      name: 'after-restart',
      args: ['probe', '--http', 'http://echo.default.svc.cluster.local/', '--deadline', '60s'],
    });
    expect(result.phase).toBe('Succeeded');
    expect(
      await cluster.kubectl(['get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[*].metadata.uid}']),
    ).toBe(before);
  });

  it('stop removes every process, mount, network namespace, route, rule, cgroup and file it made', async () => {
    expect(cluster.leftovers().length).toBeGreaterThan(0);
    await cluster.stop();
    expect(cluster.leftovers()).toEqual([]);
  });
});

describe('a cluster whose test process is killed', () => {
  it('is removed by its watchdogs: nothing of it stays on the machine', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(repoRoot, 'harness/test/fixtures/cluster-then-wait.ts'),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitUntil('the child to report its cluster ready', async () => output.includes('\nTRACES '), {
      timeoutMs: 600_000,
      intervalMs: 500,
    });
    const traces = JSON.parse(output.split('\nTRACES ')[1]!.split('\n')[0]!) as RunTraces;
    expect(findLeftovers(traces).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitUntil(
      'the killed run to leave nothing behind',
      async () => findLeftovers(traces).length === 0,
      {
        timeoutMs: 60_000,
        intervalMs: 1000,
        logHint: () => findLeftovers(traces).join('\n'),
      },
    );
  }, 700_000);
});
