/**
 * Every address one test node uses, derived from its slot (1-254) so that nodes on the same machine never
 * overlap. The host end of the node's link is where the control plane, Kafka and the S3 server listen;
 * pods reach it through the node's bridge, and nothing else: no default route, no NAT to the outside.
 */
export interface NodeAddresses {
  readonly slot: number;
  /** The host end of the link to the node's network namespace (`spnode<slot>`). */
  readonly hostInterface: string;
  /** The node end of that link, inside the node's network namespace. */
  readonly nodeInterface: string;
  /** 10.239.<slot>.1: the host end; the API server, Kafka and the S3 server listen here. */
  readonly hostAddress: string;
  /** 10.239.<slot>.2: the node end; the kubelet's InternalIP. */
  readonly nodeAddress: string;
  readonly linkCidr: string;
  /** 10.240.<slot>.0/24: pod addresses, on the bridge. */
  readonly podCidr: string;
  readonly bridgeName: string;
  /** 10.240.<slot>.1: the bridge, the pods' gateway. */
  readonly bridgeAddress: string;
  /** 10.241.<slot>.0/24: ClusterIPs. */
  readonly serviceCidr: string;
  /** 10.241.<slot>.1: the `kubernetes` Service. */
  readonly apiServiceAddress: string;
  /** 10.241.<slot>.10: the cluster DNS Service. */
  readonly dnsAddress: string;
  readonly nodeName: string;
}

export const MAX_SLOT = 254;

export function nodeAddresses(slot: number): NodeAddresses {
  if (!Number.isInteger(slot) || slot < 1 || slot > MAX_SLOT) {
    throw new Error(`node slot must be an integer in 1-${MAX_SLOT}, got ${slot}`);
  }
  return {
    slot,
    hostInterface: `spnode${slot}`,
    nodeInterface: 'host0',
    hostAddress: `10.239.${slot}.1`,
    nodeAddress: `10.239.${slot}.2`,
    linkCidr: `10.239.${slot}.0/30`,
    podCidr: `10.240.${slot}.0/24`,
    bridgeName: 'spbr0',
    bridgeAddress: `10.240.${slot}.1`,
    serviceCidr: `10.241.${slot}.0/24`,
    apiServiceAddress: `10.241.${slot}.1`,
    dnsAddress: `10.241.${slot}.10`,
    nodeName: `sp-node-${slot}`,
  };
}

/** The three prefixes a slot routes: link, pods, services. */
export function slotPrefixes(slot: number): string[] {
  const a = nodeAddresses(slot);
  return [a.linkCidr, a.podCidr, a.serviceCidr];
}

/** Whether two IPv4 prefixes (`10.240.7.0/24`, `10.239.7.1`) share any address. */
export function prefixesOverlap(a: string, b: string): boolean {
  const parse = (cidr: string): [number, number] | undefined => {
    const [address = '', bits = '32'] = cidr.split('/');
    const octets = address.split('.').map(Number);
    const length = Number(bits);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
    if (!Number.isInteger(length) || length < 0 || length > 32) return undefined;
    return [((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0, length];
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  const shorter = Math.min(x[1], y[1]);
  const mask = shorter === 0 ? 0 : (0xffffffff << (32 - shorter)) >>> 0;
  return (x[0] & mask) >>> 0 === (y[0] & mask) >>> 0;
}
