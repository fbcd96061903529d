import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { makeKubeCerts } from './certs.js';
import { componentPaths, requireComponent } from './paths.js';
import { freePort, waitUntil } from './ports.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface KubeInstance {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** A kubeconfig with an admin client certificate (cluster-admin through system:masters). */
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/**
 * etcd + kube-apiserver, as envtest runs them: a real API server (admission, CRD schemas and CEL, RBAC,
 * server-side apply, watches) without controller-manager, scheduler or kubelet. So no pods run, nothing is
 * garbage-collected and namespaces never finish terminating.
 */
export async function startKubeApiServer(): Promise<KubeInstance> {
  const paths = componentPaths();
  requireComponent(paths.kubeApiserver, 'kube');
  const dir = makeWorkdir('kube');
  const certs = makeKubeCerts(dir.path);
  const apiPort = await freePort();
  const etcd = await startEtcd({ dir: dir.path, launch: startProcess });

  const apiserver: ManagedProcess = startProcess({
    name: 'kube-apiserver',
    command: paths.kubeApiserver,
    args: [
      `--etcd-servers=${etcd.endpoint}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--cert-dir=${join(dir.path, 'serving')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      `--client-ca-file=${certs.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${certs.saPub}`,
      `--service-account-signing-key-file=${certs.saKey}`,
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--v=0',
    ],
    logFile: join(dir.path, 'kube-apiserver.log'),
  });

  const clientCert = readFileSync(certs.clientCert);
  const clientKey = readFileSync(certs.clientKey);
  await waitForApiServer({
    host: '127.0.0.1',
    port: apiPort,
    cert: clientCert,
    key: clientKey,
    process: apiserver,
  });

  const servingCert = readFileSync(join(dir.path, 'serving', 'apiserver.crt'));
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = join(dir.path, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(server, servingCert, clientCert, clientKey), { mode: 0o600 });

  return {
    server,
    kubeconfigPath,
    stop: async () => {
      await apiserver.stop(10_000);
      await etcd.process.stop(10_000);
      dir.remove();
    },
  };
}

type Launch = (options: { name: string; command: string; args: string[]; logFile: string }) => ManagedProcess;

/** etcd on free loopback ports with its data in `dir`/etcd, started by `launch`; resolves once healthy. */
export async function startEtcd(options: {
  dir: string;
  launch: Launch;
}): Promise<{ endpoint: string; process: ManagedProcess }> {
  const etcdBin = requireComponent(componentPaths().etcd, 'etcd');
  const [etcdPort, peerPort] = [await freePort(), await freePort()];
  const etcd = options.launch({
    name: 'etcd',
    command: etcdBin,
    args: [
      '--data-dir',
      join(options.dir, 'etcd'),
      '--listen-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-cluster',
      `default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level',
      'warn',
    ],
    logFile: join(options.dir, 'etcd.log'),
  });
  await waitUntil(
    'etcd to be healthy',
    async () => {
      if (etcd.exited()) throw new Error('etcd exited');
      const res = await fetch(`http://127.0.0.1:${etcdPort}/health`);
      return res.ok;
    },
    { timeoutMs: 30_000, logHint: () => etcd.tail() },
  );
  return { endpoint: `http://127.0.0.1:${etcdPort}`, process: etcd };
}

/** Resolves when the API server's /readyz answers 200 to the given client certificate. */
export async function waitForApiServer(options: {
  host: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  process: ManagedProcess;
}): Promise<void> {
  await waitUntil(
    'kube-apiserver to be ready',
    async () => {
      if (options.process.exited()) throw new Error('kube-apiserver exited');
      return (await getStatus(options.host, options.port, '/readyz', options.cert, options.key)) === 200;
    },
    { timeoutMs: 120_000, intervalMs: 500, logHint: () => options.process.tail() },
  );
}

function getStatus(host: string, port: number, path: string, cert: Buffer, key: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, cert, key, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A kubeconfig for one client certificate; `ca` is what the server's certificate must chain to. */
export function kubeconfigYaml(server: string, ca: Buffer, cert: Buffer, key: Buffer): string {
  const b64 = (b: Buffer) => b.toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server}
      certificate-authority-data: ${b64(ca)}
users:
  - name: admin
    user:
      client-certificate-data: ${b64(cert)}
      client-key-data: ${b64(key)}
contexts:
  - name: test
    context: { cluster: test, user: admin, namespace: default }
current-context: test
`;
}
