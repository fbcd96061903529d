import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A memory cgroup of this run with a hard limit, as the kubelet gives a container: a process started through
 * `wrap` runs inside it, and over the limit the kernel's OOM killer ends it (SIGKILL, exit 137 in a pod).
 * cgroup v1 (the memory controller's own hierarchy) or v2 (the unified one), whichever this machine mounts.
 */
export interface MemoryCgroup {
  path: string;
  limitBytes: number;
  /** The command line that moves itself into the cgroup, then execs `command` (so the pid stays the same). */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Highest charge seen by the kernel (what it holds against the limit, page cache included). */
  peakBytes(): number;
  /** Processes of the cgroup the kernel killed for memory. */
  oomKills(): number;
  /** Removes the cgroup; its processes must have exited. */
  remove(): void;
}

const V1 = '/sys/fs/cgroup/memory';
const V2 = '/sys/fs/cgroup';

/** Why no memory cgroup can be made here, or null when one can. */
export function memoryCgroupProblem(): string | null {
  if (process.getuid?.() !== 0) return 'making a memory cgroup needs root';
  if (existsSync(join(V1, 'memory.limit_in_bytes'))) return null;
  if (readIfExists(join(V2, 'cgroup.subtree_control'))?.includes('memory')) return null;
  return `no cgroup memory controller: neither ${V1} (v1) nor "memory" in ${V2}/cgroup.subtree_control (v2)`;
}

export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup {
  const problem = memoryCgroupProblem();
  if (problem) throw new Error(problem);
  const v1 = existsSync(join(V1, 'memory.limit_in_bytes'));
  const path = join(v1 ? V1 : V2, `spotify-pipeline-${name}-${process.pid}`);
  mkdirSync(path);
  const file = (v1name: string, v2name: string) => join(path, v1 ? v1name : v2name);
  writeFileSync(file('memory.limit_in_bytes', 'memory.max'), String(limitBytes));
  // No swap to page out to, as in a pod: over the limit the kernel reclaims page cache, then kills.
  if (!v1) writeFileSync(join(path, 'memory.swap.max'), '0');
  const counter = (text: string | null, key: string) =>
    Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '')?.[1] ?? 0);
  return {
    path,
    limitBytes,
    wrap: (command, args) => ({
      command: '/bin/sh',
      args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', path, command, ...args],
    }),
    peakBytes: () => Number(readIfExists(file('memory.max_usage_in_bytes', 'memory.peak')) ?? 0),
    oomKills: () => counter(readIfExists(file('memory.oom_control', 'memory.events')), 'oom_kill'),
    remove: () => {
      try {
        rmdirSync(path);
      } catch {
        // Still busy or already gone: a cgroup left behind holds no memory once its processes exited.
      }
    },
  };
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
