import type { Logger } from '@spotify-pipeline/shared';
import { isNotFound, type KubeApi, KubeApiError, type KubeObject } from '../kube/api.js';

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  client: KubeApi;
  namespace: string;
  name: string;
  identity: string;
  logger: Logger;
  leaseDurationMs?: number;
  renewEveryMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

const micro = (d: Date) => d.toISOString().replace('Z', '000Z');

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: acquire when the lease is free or
 * expired, renew with optimistic concurrency (resourceVersion), step down when a renewal cannot succeed
 * before the lease would expire, and release on shutdown so the standby takes over at once.
 */
export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenew = 0;
  private readonly leaseDurationMs: number;
  private readonly renewEveryMs: number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewEveryMs = options.renewEveryMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        const held = await this.tryAcquireOrRenew();
        if (held) this.lastRenew = Date.now();
        if (held && !this.leading) {
          this.leading = true;
          this.options.logger.info({ identity: this.options.identity }, 'became leader');
          this.options.onStartedLeading();
        } else if (!held && this.leading) this.stepDown('lease taken by another replica');
      } catch (err) {
        this.options.logger.warn({ err }, 'lease renewal failed');
        if (this.leading && Date.now() - this.lastRenew > this.leaseDurationMs * 0.8)
          this.stepDown('could not renew in time');
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.renewEveryMs);
    };
    void tick();
  }

  private stepDown(why: string): void {
    this.leading = false;
    this.options.logger.warn({ why }, 'stopped leading');
    this.options.onStoppedLeading();
  }

  private ref(name?: string) {
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.options.namespace, name };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity, name, namespace } = this.options;
    const now = new Date();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      renewTime: micro(now),
    };
    let lease: Lease;
    try {
      lease = await client.get<Lease>(this.ref(name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await client.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { ...spec, acquireTime: micro(now), leaseTransitions: 0 },
        } as never);
        return true;
      } catch (createErr) {
        if (createErr instanceof KubeApiError && createErr.statusCode === 409) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity;
    const renewedAt = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const expired = renewedAt + (lease.spec?.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
    if (holder && holder !== identity && !expired) return false;
    const next = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        ...(holder === identity
          ? {}
          : { acquireTime: micro(now), leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      await client.replace(next as never);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 409) return false;
      throw err;
    }
  }

  /** Stops renewing and hands the lease back (so a standby need not wait for it to expire). */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.options.client.get<Lease>(this.ref(this.options.name));
      if (lease.spec?.holderIdentity === this.options.identity) {
        await this.options.client.replace({
          ...lease,
          spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1 },
        } as never);
      }
    } catch (err) {
      this.options.logger.warn({ err }, 'could not release the lease');
    }
  }
}
