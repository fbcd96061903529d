import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigYaml, startEtcd, waitForApiServer } from '../kube.js';
import { componentPaths, requireComponent } from '../paths.js';
import { freePort } from '../ports.js';
import type { ManagedProcess } from '../process.js';
import type { NodeAddresses } from './addresses.js';
import type { CertPair, ClusterPki } from './pki.js';
import type { NodeSandbox } from './sandbox.js';

export interface ControlPlane {
  /** https://<host address>:PORT */
  readonly server: string;
  /** Kubeconfig files per identity. */
  readonly kubeconfigs: Record<'admin' | 'node' | 'controllerManager' | 'scheduler' | 'kubeProxy', string>;
  readonly processes: ManagedProcess[];
}

/**
 * etcd, kube-apiserver, kube-controller-manager and kube-scheduler, in the host's network namespace (the API
 * server on the host end of the node's link, where pods reach it through the `kubernetes` Service) and in the
 * node's PID namespace (so they die with it).
 */
export async function startControlPlane(
  sandbox: NodeSandbox,
  dir: string,
  a: NodeAddresses,
  pki: ClusterPki,
): Promise<ControlPlane> {
  const paths = componentPaths();
  const launch = (o: { name: string; command: string; args: string[]; logFile: string }) =>
    sandbox.spawn({ ...o, host: true });
  const processes: ManagedProcess[] = [];
  const etcd = await startEtcd({ dir, launch });
  processes.push(etcd.process);

  const port = await freePort();
  const apiserver = launch({
    name: 'kube-apiserver',
    command: requireComponent(paths.kubeApiserver, 'kube'),
    args: [
      `--etcd-servers=${etcd.endpoint}`,
      `--secure-port=${port}`,
      `--bind-address=${a.hostAddress}`,
      `--advertise-address=${a.hostAddress}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--service-cluster-ip-range=${a.serviceCidr}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`,
      `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--enable-aggregator-routing=true',
      // The aggregation layer (APIServices such as KEDA's external metrics): the API server proxies with this
      // client certificate and the identity headers; extension servers trust them through the front-proxy CA.
      `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
      `--proxy-client-key-file=${pki.frontProxyClient.key}`,
      '--allow-privileged=true',
      '--v=0',
    ],
    logFile: join(dir, 'kube-apiserver.log'),
  });
  processes.push(apiserver);
  await waitForApiServer({
    host: a.hostAddress,
    port,
    cert: readFileSync(pki.admin.cert),
    key: readFileSync(pki.admin.key),
    process: apiserver,
  });

  const server = `https://${a.hostAddress}:${port}`;
  const kubeconfig = (name: string, pair: CertPair) => {
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      file,
      kubeconfigYaml(server, readFileSync(pki.ca.cert), readFileSync(pair.cert), readFileSync(pair.key)),
      { mode: 0o600 },
    );
    return file;
  };
  const kubeconfigs = {
    admin: kubeconfig('admin', pki.admin),
    node: kubeconfig('node', pki.node),
    controllerManager: kubeconfig('controller-manager', pki.controllerManager),
    scheduler: kubeconfig('scheduler', pki.scheduler),
    kubeProxy: kubeconfig('kube-proxy', pki.kubeProxy),
  };

  processes.push(
    launch({
      name: 'kube-controller-manager',
      command: requireComponent(paths.kubeControllerManager, 'kube-node'),
      args: [
        `--kubeconfig=${kubeconfigs.controllerManager}`,
        `--authentication-kubeconfig=${kubeconfigs.controllerManager}`,
        `--authorization-kubeconfig=${kubeconfigs.controllerManager}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${await freePort()}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        '--use-service-account-credentials=true',
        `--service-cluster-ip-range=${a.serviceCidr}`,
        `--cluster-name=${a.nodeName}`,
        '--leader-elect=false',
        '--v=0',
      ],
      logFile: join(dir, 'kube-controller-manager.log'),
    }),
    launch({
      name: 'kube-scheduler',
      command: requireComponent(paths.kubeScheduler, 'kube-node'),
      args: [
        `--kubeconfig=${kubeconfigs.scheduler}`,
        `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
        `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${await freePort()}`,
        '--leader-elect=false',
        '--v=0',
      ],
      logFile: join(dir, 'kube-scheduler.log'),
    }),
  );
  return { server, kubeconfigs, processes };
}
