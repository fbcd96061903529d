import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../ports.js';
import type { ManagedProcess } from '../process.js';
import type { NodeAddresses } from './addresses.js';
import type { NodeSandbox } from './sandbox.js';

export interface ContainerdSettings {
  /** Configuration, socket and logs: visible from the host. */
  dir: string;
  /** Content, snapshots, state: a tmpfs of the node's mount namespace, gone with it. */
  dataDir: string;
  socket: string;
  sandboxImage: string;
  cniConfDir: string;
  /** Registries by host name (as in image names) and the URL containerd pulls them from, over plain HTTP. */
  registries: Record<string, string>;
}

/**
 * containerd's configuration (version 2, containerd 1.6): every path inside this run's folder, runc with
 * cgroupfs. `restrict_oom_score_adj`: root here lacks CAP_SYS_RESOURCE, so it cannot lower a container's
 * oom_score_adj below its own and runc fails with "can't get final child's PID from pipe: EOF" without it.
 */
function containerdConfig(s: ContainerdSettings): string {
  return `version = 2
root = "${join(s.dataDir, 'root')}"
state = "${join(s.dataDir, 'state')}"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${s.socket}"
[ttrpc]
  address = "${s.socket}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(s.dataDir, 'opt')}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${s.sandboxImage}"
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "${join(s.dataDir, 'runc')}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${s.cniConfDir}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${join(s.dir, 'certs.d')}"
`;
}

/** hosts.toml for one registry: pulls of `host/...` images go to `url` over plain HTTP. */
function registryHostsToml(url: string): string {
  return `server = "${url}"

[host."${url}"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
`;
}

/**
 * The pod network: the CNI bridge plugin with host-local addresses from the pod prefix. No default route and
 * no masquerading: a pod's routes are its bridge, the ClusterIP prefix and the host's link, nothing else.
 */
export function cniConfig(a: NodeAddresses, ipamDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'sp-pods',
      plugins: [
        {
          type: 'bridge',
          bridge: a.bridgeName,
          isGateway: true,
          isDefaultGateway: false,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: a.podCidr, gateway: a.bridgeAddress }]],
            routes: [{ dst: a.serviceCidr }, { dst: a.linkCidr }],
            dataDir: ipamDir,
          },
        },
      ],
    },
    null,
    2,
  );
}

export interface Containerd {
  readonly socket: string;
  readonly process: ManagedProcess;
  /** `ctr` against this containerd, in the Kubernetes namespace. */
  ctr(args: string[], timeoutMs?: number): Promise<string>;
}

/**
 * containerd in the node's namespaces. Its images and container filesystems live on a tmpfs mounted in the
 * node's mount namespace only: nothing to delete from disk afterwards (unpacked images are thousands of
 * files), and pulls and unpacks never wait for the shared disk.
 */
export async function startContainerd(
  sandbox: NodeSandbox,
  dir: string,
  settings: Omit<ContainerdSettings, 'dir' | 'dataDir' | 'socket'>,
): Promise<Containerd> {
  const socket = join(dir, 'containerd.sock');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  await sandbox.run('mount', ['-t', 'tmpfs', '-o', 'mode=0711', 'sp-node-containerd', dataDir]);
  const all: ContainerdSettings = { ...settings, dir, dataDir, socket };
  for (const [host, url] of Object.entries(settings.registries)) {
    mkdirSync(join(dir, 'certs.d', host), { recursive: true });
    writeFileSync(join(dir, 'certs.d', host, 'hosts.toml'), registryHostsToml(url));
  }
  const configFile = join(dir, 'containerd.toml');
  writeFileSync(configFile, containerdConfig(all));
  const process = sandbox.spawn({
    name: 'containerd',
    command: 'containerd',
    args: ['--config', configFile, '--log-level', 'warn'],
    logFile: join(dir, 'containerd.log'),
  });
  const ctr = (args: string[], timeoutMs = 120_000) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        'ctr',
        ['--address', socket, '--namespace', 'k8s.io', ...args],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`ctr ${args.join(' ')}: ${stderr.trim() || error.message}`));
          else resolve(stdout);
        },
      );
    });
  await waitUntil(
    'containerd to answer',
    async () => {
      if (process.exited()) throw new Error('containerd exited');
      await ctr(['version'], 5000);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200, logHint: () => process.tail() },
  );
  return { socket, process, ctr };
}
