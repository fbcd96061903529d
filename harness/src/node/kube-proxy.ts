import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from '../process.js';
import type { NodeAddresses } from './addresses.js';
import type { NodeSandbox } from './sandbox.js';

/**
 * kube-proxy in iptables mode, in the node's network namespace (so its rules are the node's, never the host's).
 * Conntrack limits are left as the kernel has them (they are machine-wide) and NodePorts are not opened on
 * localhost (that needs route_localnet).
 */
function kubeProxyConfig(a: NodeAddresses, kubeconfig: string): string {
  return JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig },
      mode: 'iptables',
      clusterCIDR: a.podCidr,
      hostnameOverride: a.nodeName,
      bindAddress: a.nodeAddress,
      healthzBindAddress: '127.0.0.1:10256',
      metricsBindAddress: '127.0.0.1:10249',
      nodePortAddresses: [`${a.nodeAddress}/32`],
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      iptables: { localhostNodePorts: false, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
    },
    null,
    2,
  );
}

export function startKubeProxy(
  sandbox: NodeSandbox,
  dir: string,
  options: { addresses: NodeAddresses; kubeconfig: string; kubeProxyPath: string },
): ManagedProcess {
  const configFile = join(dir, 'kube-proxy.json');
  writeFileSync(configFile, kubeProxyConfig(options.addresses, options.kubeconfig));
  return sandbox.spawn({
    name: 'kube-proxy',
    command: options.kubeProxyPath,
    args: [`--config=${configFile}`, '--v=0'],
    logFile: join(dir, 'kube-proxy.log'),
  });
}
