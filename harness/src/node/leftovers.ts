import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { prefixesOverlap } from './addresses.js';
import { cgroupDirs } from './cgroups.js';

/** What one run may leave on the machine, to look for after it stopped. */
export interface RunTraces {
  hostInterface: string;
  prefixes: string[];
  workdir: string;
  cgroupName: string;
  /** `net:[inode]` of the node's and every pod's network namespace, collected while they ran. */
  netns: string[];
}

/** The network namespaces of these processes other than this process's own (the host's), as `net:[inode]`. */
export function networkNamespacesOf(pids: number[]): string[] {
  const host = readlinkSync('/proc/self/ns/net');
  const seen = new Set<string>();
  for (const pid of pids) {
    try {
      seen.add(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      // gone meanwhile
    }
  }
  seen.delete(host);
  return [...seen];
}

/**
 * Processes in the PID namespace `pidns` (as `pid:[inode]`) and in the namespaces nested in it (containers):
 * those in it, and every descendant of those.
 */
export function processesInPidNamespace(pidns: string): number[] {
  const parents = new Map<number, number>();
  const inside = new Set<number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const pid = Number(entry);
    try {
      // The parent PID is the 2nd field after the parenthesised command, which may itself contain spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readlinkSync(`/proc/${pid}/ns/pid`) === pidns) inside.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!inside.has(pid) && inside.has(parent)) {
        inside.add(pid);
        grew = true;
      }
    }
  }
  return [...inside];
}

/** Everything of a run still on the machine; empty when teardown was complete. */
export function findLeftovers(t: RunTraces): string[] {
  const found: string[] = [];
  if (existsSync(join('/sys/class/net', t.hostInterface))) found.push(`interface ${t.hostInterface}`);
  const routes = JSON.parse(
    execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all']).toString(),
  ) as Array<{
    dst: string;
  }>;
  for (const r of routes) {
    if (r.dst !== 'default' && t.prefixes.some((p) => prefixesOverlap(r.dst, p)))
      found.push(`route ${r.dst}`);
  }
  const rules = execFileSync('iptables-save').toString();
  for (const prefix of t.prefixes) {
    const network = prefix.split('/')[0]!.split('.').slice(0, 3).join('.');
    if (rules.includes(`${network}.`)) found.push(`host iptables rules mentioning ${prefix}`);
  }
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(t.workdir)) found.push(`process ${entry}: ${cmdline.slice(0, 120)}`);
      const netns = readlinkSync(`/proc/${entry}/ns/net`);
      if (t.netns.includes(netns)) found.push(`process ${entry} in the run's network namespace ${netns}`);
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (line.includes(t.workdir) || t.netns.some((ns) => line.includes(ns))) found.push(`mount ${line}`);
  }
  for (const dir of cgroupDirs(t.cgroupName)) found.push(`cgroup ${dir}`);
  if (existsSync(t.workdir)) found.push(`folder ${t.workdir}`);
  return found;
}
