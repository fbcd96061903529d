import { copyFileSync, existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** `/sys/fs/cgroup/<hierarchy>/<name>` for every mounted hierarchy that has it. */
export function cgroupDirs(name: string): string[] {
  return readdirSync(CGROUP_ROOT)
    .map((hierarchy) => join(CGROUP_ROOT, hierarchy, name))
    .filter((dir) => existsSync(dir));
}

/** Removes a cgroup tree bottom-up (cgroup directories go with rmdir only, once their processes are gone). */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  }
  rmdirSync(dir);
}

/** Removes cgroup trees named `<prefix>…` other than `ours` that no process uses any more (a dead run's). */
export function removeStaleCgroups(prefix: string, ours: string): void {
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(join(CGROUP_ROOT, hierarchy));
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => e.startsWith(prefix) && e !== ours)) {
      try {
        removeCgroupTree(join(CGROUP_ROOT, hierarchy, entry));
      } catch {
        // still has processes: not stale after all
      }
    }
  }
}

/**
 * The kubelet's cgroup root in every cgroup v1 hierarchy (the kubelet wants it to exist). A new cpuset cgroup
 * starts with no CPUs and no memory nodes, so it gets its parent's.
 */
export function createCgroupRoot(name: string): void {
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    if (hierarchy === 'unified') continue;
    const dir = join(CGROUP_ROOT, hierarchy, name);
    mkdirSync(dir, { recursive: true });
    if (hierarchy === 'cpuset') {
      for (const file of ['cpuset.cpus', 'cpuset.mems'])
        copyFileSync(join(CGROUP_ROOT, hierarchy, file), join(dir, file));
    }
  }
}
