import { execFile } from 'node:child_process';
import { MAX_SLOT, type NodeAddresses, nodeAddresses, prefixesOverlap, slotPrefixes } from './addresses.js';
import type { NodeSandbox } from './sandbox.js';

const ip = (args: string[]) =>
  new Promise<string>((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });

/**
 * Claims a free slot by creating its link: a veth pair whose host end is named after the slot (creating it
 * fails if another run holds the slot, so two runs never share one) and whose other end is moved into the
 * node's network namespace. Slots whose prefixes overlap a route the host already has are skipped.
 */
export async function claimNodeLink(sandbox: NodeSandbox): Promise<NodeAddresses> {
  const routes = JSON.parse(await ip(['-j', '-4', 'route', 'show', 'table', 'all'])) as Array<{
    dst: string;
  }>;
  const taken = routes.map((r) => r.dst).filter((dst) => dst !== 'default' && !dst.startsWith('0.0.0.0'));
  const candidates = shuffled(Array.from({ length: MAX_SLOT }, (_, i) => i + 1)).filter(
    (slot) => !taken.some((dst) => slotPrefixes(slot).some((ours) => prefixesOverlap(dst, ours))),
  );
  for (const slot of candidates) {
    const a = nodeAddresses(slot);
    try {
      await ip([
        'link',
        'add',
        a.hostInterface,
        'type',
        'veth',
        'peer',
        'name',
        a.nodeInterface,
        'netns',
        String(sandbox.initPid),
      ]);
    } catch (err) {
      if (/exists/i.test((err as Error).message)) continue;
      throw err;
    }
    return a;
  }
  throw new Error(`no free node slot: all ${MAX_SLOT} are in use or overlap a host route (ip route)`);
}

/**
 * Addresses and routes on both ends of the link. The host routes only the node's pod and service prefixes
 * to it; the node has no default route, so pods reach the host's address and nothing beyond this machine.
 */
export async function configureNodeLink(sandbox: NodeSandbox, a: NodeAddresses): Promise<void> {
  await ip(['addr', 'add', `${a.hostAddress}/30`, 'dev', a.hostInterface]);
  await ip(['link', 'set', a.hostInterface, 'up']);
  const inNode = (args: string[]) => sandbox.run('ip', args);
  await inNode(['link', 'set', 'lo', 'up']);
  await inNode(['addr', 'add', `${a.nodeAddress}/30`, 'dev', a.nodeInterface]);
  await inNode(['link', 'set', a.nodeInterface, 'up']);
  // Both are per network namespace: the node routes between its bridge and the link, the host does not
  // change. bridge-nf-call-iptables lets kube-proxy's rules see traffic between pods on the bridge.
  await sandbox.run('sh', [
    '-c',
    'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables',
  ]);
  await ip(['route', 'add', a.podCidr, 'via', a.nodeAddress, 'dev', a.hostInterface]);
  await ip(['route', 'add', a.serviceCidr, 'via', a.nodeAddress, 'dev', a.hostInterface]);
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
