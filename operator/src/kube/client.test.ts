import { createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, KubeTimeoutError } from './client.js';

// An API server that accepts connections and never says a word (not even the TLS handshake).
let silent: Server;
const sockets: Socket[] = [];
let port = 0;

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

function clientFor(timeoutMs: number): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'silent', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'made-up' }],
    contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
    currentContext: 'c',
  });
  return new KubeClient({ kubeConfig: kc, fieldManager: 'test', requestTimeoutMs: timeoutMs });
}

describe('KubeClient deadlines', () => {
  it('fails a request the API server never answers once its deadline passes', async () => {
    const client = clientFor(200);
    const err = await client
      .get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x' })
      .catch((e: unknown) => e);
    client.close();
    expect(err).toBeInstanceOf(KubeTimeoutError);
    expect((err as Error).message).toContain('did not answer within 0.2s');
  });

  it('fails every one of many concurrent requests, so no caller waits forever', async () => {
    const client = clientFor(200);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'ns' } }),
      ),
    );
    client.close();
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof KubeTimeoutError)).toBe(true);
  });
});
