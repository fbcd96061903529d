import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../ports.js';
import { type ManagedProcess, startProcess } from '../process.js';

/**
 * The test node's namespaces: one PID namespace holding every process of the cluster, and a mount and a
 * network namespace for the node (containerd, kubelet, kube-proxy, pods). Killing the namespace's init makes
 * the kernel kill every process in it; the node's mounts and network namespaces (with their bridge, veths
 * and iptables rules) disappear with the last of them. So nothing can outlive the run, even after SIGKILL.
 */
export interface NodeSandbox {
  /** The init's PID as the host sees it. */
  readonly initPid: number;
  /** The `unshare` process holding the init (killing it kills the init, `--kill-child`). */
  readonly holder: ManagedProcess;
  /** A long-running process in the PID namespace; in the node's mount and network namespaces unless `host`. */
  spawn(options: SandboxSpawn): ManagedProcess;
  /** Runs a command to completion in the node's namespaces; rejects with its output when it fails. */
  run(command: string, args: string[], options?: { timeoutMs?: number }): Promise<string>;
  /** Kills the init (and so everything in the namespaces) and waits until the init is gone. */
  destroy(): Promise<void>;
}

interface SandboxSpawn {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Stay in the host's mount and network namespaces (the control plane): only the PID namespace is shared. */
  host?: boolean;
}

export async function startSandbox(options: { init: string[]; logFile: string }): Promise<NodeSandbox> {
  const holder = startProcess({
    name: 'node-sandbox',
    command: 'unshare',
    args: ['--pid', '--fork', '--mount', '--net', '--mount-proc', '--kill-child', '--', ...options.init],
    logFile: options.logFile,
  });
  let initPid = 0;
  await waitUntil(
    'the node namespaces to exist',
    async () => {
      if (holder.exited()) throw new Error(`unshare exited: ${holder.tail(5)}`);
      initPid = childrenOf(holder.child.pid!)[0] ?? 0;
      return initPid > 0 && existsSync(`/proc/${initPid}/ns/net`);
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );

  const nsenter = (host: boolean) =>
    host
      ? ['--target', String(initPid), '--pid']
      : ['--target', String(initPid), '--pid', '--mount', '--net'];

  return {
    initPid,
    holder,
    spawn: (spawnOptions) => {
      const outer = startProcess({
        name: spawnOptions.name,
        command: 'nsenter',
        args: [...nsenter(spawnOptions.host ?? false), '--', spawnOptions.command, ...spawnOptions.args],
        logFile: spawnOptions.logFile,
        ...(spawnOptions.env ? { env: spawnOptions.env } : {}),
      });
      return forwardSignals(outer);
    },
    run: (command, args, runOptions = {}) =>
      new Promise((resolve, reject) => {
        execFile(
          'nsenter',
          [...nsenter(false), '--', command, ...args],
          { timeout: runOptions.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => {
            if (error)
              reject(new Error(`${command} ${args.join(' ')} (in the node): ${stderr || error.message}`));
            else resolve(stdout);
          },
        );
      }),
    destroy: async () => {
      await holder.kill();
      await waitUntil('the node namespaces to be gone', async () => !existsSync(`/proc/${initPid}`), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    },
  };
}

/** Direct children of a process (CONFIG_PROC_CHILDREN), as the host sees them. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(join('/proc', String(pid), 'task', String(pid), 'children'), 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

// nsenter forks the command into the PID namespace and waits for it, but does not pass signals on: stop and
// kill go to the command itself, and nsenter exits with it.
function forwardSignals(outer: ManagedProcess): ManagedProcess {
  const inner = () => childrenOf(outer.child.pid!)[0];
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(inner() ?? outer.child.pid!, name);
    } catch {
      // already gone
    }
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      if (outer.exited()) resolve();
      else outer.child.once('exit', () => resolve());
    });
  return {
    ...outer,
    exited: () => outer.exited(),
    tail: (lines) => outer.tail(lines),
    async stop(graceMs = 15_000) {
      if (outer.exited()) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited();
      clearTimeout(timer);
    },
    async kill() {
      if (outer.exited()) return;
      signal('SIGKILL');
      await exited();
    },
  };
}
