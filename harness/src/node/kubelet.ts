import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from '../process.js';
import type { NodeAddresses } from './addresses.js';
import type { NodeSandbox } from './sandbox.js';

/**
 * The kernel settings a kubelet sets for the whole machine when they differ (container_manager_linux.go,
 * setupKernelTunables): panic on oops, reboot 10 s after a panic, always overcommit memory. On a machine shared
 * with other work the node must not change them, so the node's mount namespace shows the kubelet files that
 * already hold these values; the real settings stay as they are.
 */
const KUBELET_KERNEL_TUNABLES: Record<string, string> = {
  'vm/overcommit_memory': '1',
  'vm/panic_on_oom': '0',
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'kernel/keys/root_maxkeys': '1000000',
  'kernel/keys/root_maxbytes': '25000000',
};

export interface KubeletSettings {
  addresses: NodeAddresses;
  rootDir: string;
  runtimeSocket: string;
  clientCaFile: string;
  resolvConf: string;
  podLogsDir: string;
  /** The cgroup every pod of this node lives under (cgroupfs, cgroup v1), unique per run. */
  cgroupRoot: string;
}

/**
 * KubeletConfiguration: cgroupfs (no systemd here), swap tolerated, the node's own DNS and cgroup root,
 * webhook authentication and authorization (so `kubectl logs` goes through the API server's client certificate),
 * and eviction and image garbage collection thresholds low enough that a busy shared disk never evicts pods or
 * deletes the images a test imported.
 */
function kubeletConfig(s: KubeletSettings): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: s.addresses.nodeAddress,
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: s.clientCaFile },
      },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      cgroupRoot: s.cgroupRoot,
      cgroupsPerQOS: true,
      failSwapOn: false,
      oomScoreAdj: 0,
      clusterDomain: 'cluster.local',
      clusterDNS: [s.addresses.dnsAddress],
      resolvConf: s.resolvConf,
      containerRuntimeEndpoint: `unix://${s.runtimeSocket}`,
      podLogsDir: s.podLogsDir,
      serializeImagePulls: false,
      evictionHard: {
        'memory.available': '100Mi',
        'nodefs.available': '1%',
        'nodefs.inodesFree': '1%',
        'imagefs.available': '1%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      nodeStatusUpdateFrequency: '5s',
      syncFrequency: '10s',
      fileCheckFrequency: '10s',
      registerNode: true,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      staticPodPath: '',
      protectKernelDefaults: false,
      maxPods: 110,
    },
    null,
    2,
  );
}

export function startKubelet(
  sandbox: NodeSandbox,
  dir: string,
  settings: KubeletSettings & { kubeconfig: string; kubeletPath: string },
): ManagedProcess {
  mkdirSync(settings.rootDir, { recursive: true });
  mkdirSync(settings.podLogsDir, { recursive: true });
  const configFile = join(dir, 'kubelet.json');
  writeFileSync(configFile, kubeletConfig(settings));
  return sandbox.spawn({
    name: 'kubelet',
    command: settings.kubeletPath,
    args: [
      `--config=${configFile}`,
      `--kubeconfig=${settings.kubeconfig}`,
      `--root-dir=${settings.rootDir}`,
      `--cert-dir=${join(settings.rootDir, 'pki')}`,
      `--node-ip=${settings.addresses.nodeAddress}`,
      `--hostname-override=${settings.addresses.nodeName}`,
      '--v=1',
    ],
    logFile: join(dir, 'kubelet.log'),
  });
}

/** Bind-mounts files holding the kubelet's wanted values over the kernel settings it would change (node only). */
export async function shieldKernelTunables(sandbox: NodeSandbox, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries(KUBELET_KERNEL_TUNABLES)) {
    const file = join(dir, key.replaceAll('/', '.'));
    writeFileSync(file, `${value}\n`);
    await sandbox.run('mount', ['--bind', file, `/proc/sys/${key}`]);
  }
}
