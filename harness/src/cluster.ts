import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaInstance, startKafka } from './kafka.js';
import { kubectlOrThrow, runKubectl } from './kubectl.js';
import { corednsManifests, type PodManifest, probePod } from './node/addons.js';
import { type NodeAddresses, slotPrefixes } from './node/addresses.js';
import { cgroupDirs, createCgroupRoot, removeCgroupTree, removeStaleCgroups } from './node/cgroups.js';
import { type Containerd, cniConfig, startContainerd } from './node/containerd.js';
import { startControlPlane } from './node/control-plane.js';
import { startKubeProxy } from './node/kube-proxy.js';
import { shieldKernelTunables, startKubelet } from './node/kubelet.js';
import {
  findLeftovers,
  networkNamespacesOf,
  processesInPidNamespace,
  type RunTraces,
} from './node/leftovers.js';
import { claimNodeLink, configureNodeLink } from './node/network.js';
import { writeOciArchive } from './node/oci-image.js';
import { makeClusterPki } from './node/pki.js';
import { startSandbox } from './node/sandbox.js';
import { componentPaths, componentVersions, nodeToolsHash, requireComponent } from './paths.js';
import { waitUntil } from './ports.js';
import type { ManagedProcess } from './process.js';
import { type RegistryInstance, startRegistry } from './registry.js';
import { type S3Instance, startS3 } from './s3.js';
import { makeWorkdir } from './workdir.js';

export interface Cluster {
  readonly addresses: NodeAddresses;
  /** https://<host address>:PORT */
  readonly server: string;
  /** Admin kubeconfig (system:masters). */
  readonly kubeconfigPath: string;
  /** Kafka on the host address: pods and this process reach it at `kafka.bootstrap`. */
  readonly kafka: KafkaInstance;
  /** The S3 server on the host address. */
  readonly s3: S3Instance;
  /** An image registry on the host address that the node pulls from (plain HTTP): push with buildImages. */
  readonly registry: RegistryInstance;
  /** The image every node pod's sandbox runs; also runs `probe` and `serve` (harness/node-tools). */
  readonly toolsImage: string;
  readonly workdir: string;
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Runs `toolsImage` (or `image`) with `args` as a pod in `namespace` until it ends: its phase and log. */
  runPod(o: {
    name: string;
    args: string[];
    image?: string;
    namespace?: string;
  }): Promise<{ phase: string; logs: string }>;
  /** Imports an OCI or Docker image archive into the node's containerd. */
  importImage(archive: string): Promise<void>;
  /** Stops the kubelet (SIGTERM) and starts it again with the same settings; pods keep running meanwhile. */
  restartKubelet(): Promise<void>;
  /** What this run made that must go at the end, as far as seen so far (network namespaces of pods included). */
  traces(): RunTraces;
  /** What of this run is still on the machine (interfaces, routes, rules, processes, mounts, cgroups, files). */
  leftovers(): string[];
  /** Stops everything the cluster started and removes what it made. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  kafka?: { heapMb?: number; partitions?: number };
}

/**
 * A single-node Kubernetes cluster on this machine, with Kafka and an S3 server its pods reach: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, and a kubelet on containerd + runc with a CNI
 * bridge, kube-proxy (iptables) and CoreDNS. Resolves once a pod was scheduled, resolved a Service name and
 * connected to the API server's ClusterIP, Kafka and the S3 server. Runs on the same machine never collide:
 * each has its own slot (addresses, link, cgroup), namespaces, containerd and kubelet folders.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const step = (what: string) => log(`[cluster +${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);
  const paths = componentPaths();
  const bins = {
    kubelet: requireComponent(paths.kubelet, 'kube-node'),
    kubeProxy: requireComponent(paths.kubeProxy, 'kube-node'),
    coredns: requireComponent(paths.coredns, 'coredns'),
    nodeTools: requireComponent(paths.nodeTools, 'node-tools'),
  };
  for (const [path, what] of [
    ['/usr/bin/containerd', 'containerd'],
    ['/usr/sbin/runc', 'runc'],
    ['/usr/lib/cni/bridge', 'containernetworking-plugins'],
    ['/usr/sbin/iptables', 'iptables'],
  ] as const) {
    if (!existsSync(path))
      throw new Error(`${path} is missing: run scripts/install-components.sh apt (${what})`);
  }

  const dir = makeWorkdir('cluster');
  const sub = (name: string) => {
    const path = join(dir.path, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const runId = randomBytes(4).toString('hex');
  const sandbox = await startSandbox({
    init: [bins.nodeTools, 'pause'],
    logFile: join(dir.path, 'sandbox.log'),
  });
  const pidns = readlinkSync(`/proc/${sandbox.initPid}/ns/pid`);
  let addresses: NodeAddresses | undefined;
  let cgroupName = '';
  let kafka: KafkaInstance | undefined;
  let s3: S3Instance | undefined;
  let registry: RegistryInstance | undefined;
  let watchdog: number | undefined;
  const netns = new Set<string>();
  let stopped = false;

  const traces = (): RunTraces => {
    if (!stopped) for (const ns of networkNamespacesOf(processesInPidNamespace(pidns))) netns.add(ns);
    return {
      hostInterface: addresses?.hostInterface ?? '',
      prefixes: addresses ? slotPrefixes(addresses.slot) : [],
      workdir: dir.path,
      cgroupName,
      netns: [...netns],
    };
  };
  const stop = async () => {
    if (stopped) return;
    // Every network namespace the run made, so that `leftovers()` can check that none survived.
    traces();
    stopped = true;
    await sandbox.destroy();
    await Promise.all([kafka?.destroy(), s3?.destroy(), registry?.stop()]);
    if (cgroupName) {
      await waitUntil(
        'the node cgroups to be removable',
        async () => {
          for (const cgroup of cgroupDirs(cgroupName)) removeCgroupTree(cgroup);
          return cgroupDirs(cgroupName).length === 0;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
    dir.remove();
    if (watchdog) {
      try {
        process.kill(watchdog, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  try {
    const a = await claimNodeLink(sandbox);
    addresses = a;
    cgroupName = `sp-node-${a.slot}-${runId}`;
    watchdog = startCleanupWatchdog({ holder: sandbox.holder, cgroupName, workdir: dir.path });
    // Cgroups of an earlier run in this slot that died before it could clean up (the slot is ours now).
    removeStaleCgroups(`sp-node-${a.slot}-`, cgroupName);
    step(
      `node slot ${a.slot}: host ${a.hostAddress}, node ${a.nodeAddress}, pods ${a.podCidr}, services ${a.serviceCidr}`,
    );
    await configureNodeLink(sandbox, a);
    // The node's own /run (containerd's and runc's state, shim sockets, pod network namespaces) and /var/log
    // (the kubelet's container log links) live and die with its mount namespace.
    await sandbox.run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'sp-node-run', '/run']);
    await sandbox.run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'sp-node-log', '/var/log']);
    await shieldKernelTunables(sandbox, sub('sysctl'));

    const pki = makeClusterPki(sub('pki'), {
      apiserverIps: [a.hostAddress, a.apiServiceAddress],
      nodeName: a.nodeName,
    });
    step(
      'starting etcd, kube-apiserver, controller-manager, scheduler; Kafka, the S3 server and an image registry on the host address',
    );
    const versions = componentVersions();
    const toolsImage = `localhost/spotify-pipeline/node-tools:${nodeToolsHash()}`;
    const corednsImage = `localhost/spotify-pipeline/coredns:${versions.COREDNS_VERSION}`;
    const [controlPlane, startedKafka, startedS3, containerd] = await Promise.all([
      startControlPlane(sandbox, sub('control-plane'), a, pki),
      // As a managed Kafka would be: the pipeline's operator creates its topics, no client does by accident.
      startKafka({ ...options.kafka, host: a.hostAddress, autoCreateTopics: false }),
      startS3({ host: a.hostAddress }),
      (async (): Promise<Containerd> => {
        const cniDir = sub('cni/net.d');
        writeFileSync(join(cniDir, '10-sp-pods.conflist'), cniConfig(a, sub('cni/ipam')));
        registry = await startRegistry({ address: a.hostAddress });
        const c = await startContainerd(sandbox, sub('containerd'), {
          sandboxImage: toolsImage,
          cniConfDir: cniDir,
          registries: { [registry.host]: registry.url },
        });
        for (const image of [
          { name: toolsImage, source: bins.nodeTools, path: '/sp-node-tools', user: '65535:65535' },
          { name: corednsImage, source: bins.coredns, path: '/coredns', user: '65532:65532' },
        ]) {
          const work = sub(`images/${image.path.slice(1)}`);
          const archive = join(work, 'image.tar');
          writeOciArchive({
            name: image.name,
            files: [{ source: image.source, path: image.path }],
            entrypoint: [image.path],
            user: image.user,
            workdir: work,
            archive,
          });
          await c.ctr(['images', 'import', archive]);
          rmSync(work, { recursive: true, force: true });
        }
        return c;
      })(),
    ]);
    kafka = startedKafka;
    s3 = startedS3;
    const images = registry!;
    step(
      `control plane at ${controlPlane.server}; Kafka at ${kafka.bootstrap}; S3 at ${s3.endpoint}; registry at ${images.url}`,
    );

    const kubeletDir = sub('kubelet');
    const resolvConf = join(kubeletDir, 'resolv.conf');
    writeFileSync(resolvConf, '# the node resolves nothing outside the cluster\n');
    const kubeletSettings = {
      addresses: a,
      rootDir: sub('kubelet/root'),
      runtimeSocket: containerd.socket,
      clientCaFile: pki.ca.cert,
      resolvConf,
      podLogsDir: sub('kubelet/pod-logs'),
      cgroupRoot: `/${cgroupName}`,
      kubeconfig: controlPlane.kubeconfigs.node,
      kubeletPath: bins.kubelet,
    };
    createCgroupRoot(cgroupName);
    let kubelet: ManagedProcess = startKubelet(sandbox, kubeletDir, kubeletSettings);
    startKubeProxy(sandbox, sub('kube-proxy'), {
      addresses: a,
      kubeconfig: controlPlane.kubeconfigs.kubeProxy,
      kubeProxyPath: bins.kubeProxy,
    });
    const kubeconfigPath = controlPlane.kubeconfigs.admin;
    const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) =>
      kubectlOrThrow(args, { kubeconfig: kubeconfigPath, ...o });

    await waitUntil(
      `node ${a.nodeName} to be Ready`,
      async () => {
        if (kubelet.exited()) throw new Error('the kubelet exited');
        return (await nodeReady(kubeconfigPath, a.nodeName)) === 'True';
      },
      { timeoutMs: 120_000, intervalMs: 500, logHint: () => kubelet.tail(40) },
    );
    step(`node ${a.nodeName} Ready; deploying CoreDNS`);
    await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: corednsManifests({ image: corednsImage, dnsAddress: a.dnsAddress }),
      }),
    });
    const probe = probePod({
      name: `sp-node-probe-${randomBytes(3).toString('hex')}`,
      image: toolsImage,
      reach: [kafka.bootstrap, new URL(s3.endpoint).host],
      deadlineSeconds: 120,
    });
    const result = await runPodToEnd(kubectl, probe, { timeoutMs: 240_000, hint: () => kubelet.tail(40) });
    if (result.phase !== 'Succeeded') throw new Error(`the readiness probe pod failed:\n${result.logs}`);
    step(`ready: a pod resolved a Service name and reached the API server, Kafka and S3`);

    return {
      addresses: a,
      server: controlPlane.server,
      kubeconfigPath,
      kafka,
      s3,
      registry: images,
      toolsImage,
      workdir: dir.path,
      kubectl,
      runPod: (o) =>
        runPodToEnd(
          kubectl,
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: o.name, namespace: o.namespace ?? 'default' },
            spec: {
              restartPolicy: 'Never',
              containers: [
                { name: 'main', image: o.image ?? toolsImage, imagePullPolicy: 'IfNotPresent', args: o.args },
              ],
            },
          },
          { timeoutMs: 300_000 },
        ),
      importImage: async (archive) => {
        await containerd.ctr(['images', 'import', archive], 600_000);
      },
      restartKubelet: async () => {
        await kubelet.stop(30_000);
        kubelet = startKubelet(sandbox, kubeletDir, kubeletSettings);
        await waitUntil(
          'the restarted kubelet to report the node Ready',
          async () => {
            if (kubelet.exited()) throw new Error('the kubelet exited');
            return (await nodeReady(kubeconfigPath, a.nodeName)) === 'True';
          },
          { timeoutMs: 120_000, intervalMs: 500, logHint: () => kubelet.tail(40) },
        );
      },
      traces,
      leftovers: () => findLeftovers(traces()),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

async function nodeReady(kubeconfig: string, nodeName: string): Promise<string | undefined> {
  const result = await runKubectl(
    ['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
    {
      kubeconfig,
      timeoutMs: 10_000,
    },
  );
  return result.code === 0 ? result.stdout.trim() : undefined;
}

type Kubectl = (args: string[], o?: { input?: string; timeoutMs?: number }) => Promise<string>;

/** Creates a pod and waits until it ends (Succeeded or Failed); returns its phase and log. */
async function runPodToEnd(
  kubectl: Kubectl,
  pod: PodManifest,
  options: { timeoutMs: number; hint?: () => string },
): Promise<{ phase: string; logs: string }> {
  const { name, namespace } = pod.metadata;
  // A namespace's default ServiceAccount appears shortly after the controller-manager starts.
  await waitUntil(
    `pod ${namespace}/${name} to be created`,
    async () => {
      await kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  let phase = '';
  try {
    await waitUntil(
      `pod ${namespace}/${name} to end`,
      async () => {
        phase = (
          await kubectl(['get', 'pod', '-n', namespace, name, '-o', 'jsonpath={.status.phase}'])
        ).trim();
        return phase === 'Succeeded' || phase === 'Failed';
      },
      { timeoutMs: options.timeoutMs, intervalMs: 500, ...(options.hint ? { logHint: options.hint } : {}) },
    );
  } catch (err) {
    const describe = await kubectl(['describe', 'pod', '-n', namespace, name]).catch((e: Error) => e.message);
    throw new Error(
      `${(err as Error).message} (phase '${phase}')\n--- kubectl describe pod ---\n${describe}`,
    );
  }
  const logs = await kubectl(['logs', '-n', namespace, name]).catch((e: Error) => e.message);
  await kubectl(['delete', 'pod', '-n', namespace, name, '--wait=false']);
  return { phase, logs };
}

/**
 * If this process dies without stopping the cluster (SIGKILL, a crash), the node's namespaces die with their
 * holder (its own watchdog kills it), and this one removes the run's cgroups and folder afterwards.
 */
function startCleanupWatchdog(o: { holder: ManagedProcess; cgroupName: string; workdir: string }): number {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `kill -9 ${o.holder.child.pid} 2>/dev/null`,
    'sleep 3',
    `for d in /sys/fs/cgroup/*/${o.cgroupName}; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done`,
    `rm -rf '${o.workdir}'`,
  ].join('\n');
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}
