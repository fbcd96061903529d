import { backoffDelay, type Logger } from '@spotify-pipeline/shared';
import { type KubeApi, KubeApiError } from '../kube/api.js';
import type { ResourceRef } from '../kube/resources.js';

type KubeObjectLike = Record<string, unknown>;

interface Named {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface InformerOptions<T extends Named> {
  client: KubeApi;
  resource: ResourceRef;
  labelSelector?: string;
  logger: Logger;
  /** Called with every object that was added, changed or deleted (a key, never the event, drives work). */
  onChange: (object: T, deleted: boolean, previous: T | undefined) => void;
  /** Wait before listing again a kind the API server does not serve (its CRD is not installed yet). */
  retryDelayMs?: number;
}

/**
 * List + watch from the list's resourceVersion, keeping a cache by namespace/name. A 410 Gone (the
 * resourceVersion fell out of etcd's window) or any broken stream leads to a fresh list; nothing exits.
 */
export class Informer<T extends Named> {
  private readonly cache = new Map<string, T>();
  private readonly abort = new AbortController();
  private synced = false;
  private running: Promise<void> | undefined;
  relists = 0;

  constructor(private readonly options: InformerOptions<T>) {}

  get kind(): string {
    return this.options.resource.kind;
  }

  get apiVersion(): string {
    return this.options.resource.apiVersion;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  covers(namespace: string): boolean {
    return this.options.resource.namespace === undefined || this.options.resource.namespace === namespace;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { client, resource, logger } = this.options;
    const query: Record<string, string> = this.options.labelSelector
      ? { labelSelector: this.options.labelSelector }
      : {};
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        let resourceVersion = await this.relist(query);
        failures = 0;
        while (!this.abort.signal.aborted) {
          let gone = false;
          await client.watch<T | { code?: number; message?: string }>(
            resource,
            { ...query, resourceVersion },
            (event) => {
              if (event.type === 'ERROR') {
                const status = event.object as { code?: number; message?: string };
                if (status.code === 410) gone = true;
                else logger.warn({ status }, 'watch error event');
                return;
              }
              const object = event.object as T;
              const rv = object.metadata?.resourceVersion;
              if (rv) resourceVersion = rv;
              if (event.type === 'BOOKMARK') return;
              const key = keyOf(object);
              const previous = this.cache.get(key);
              if (event.type === 'DELETED') this.cache.delete(key);
              else this.cache.set(key, object);
              this.options.onChange(object, event.type === 'DELETED', previous);
            },
            this.abort.signal,
          );
          if (gone) {
            logger.info({ kind: resource.kind }, 'watch expired (410 Gone): relisting');
            resourceVersion = await this.relist(query);
          }
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const missing = err instanceof KubeApiError && err.resourceMissing;
        logger[missing ? 'debug' : 'warn']({ err, kind: resource.kind }, 'list/watch failed: retrying');
        // A kind that is not served (CRD not installed) is polled slowly; anything else retried with the
        // shared backoff, so informers that lost the API server together do not come back together.
        const delay = missing
          ? (this.options.retryDelayMs ?? 5000)
          : backoffDelay(failures++, RELIST_BACKOFF);
        await sleep(delay, this.abort.signal);
      }
    }
  }

  private async relist(query: Record<string, string>): Promise<string> {
    this.relists++;
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.options.client.list<T & KubeObjectLike>(this.options.resource, {
        ...query,
        limit: '500',
        ...(continueToken ? { continue: continueToken } : {}),
      });
      for (const item of page.items) fresh.set(keyOf(item), item);
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);
    const before = new Map(this.cache);
    for (const [key, old] of before) if (!fresh.has(key)) this.options.onChange(old, true, old);
    this.cache.clear();
    for (const [key, item] of fresh) {
      this.cache.set(key, item);
      this.options.onChange(item, false, before.get(key));
    }
    this.synced = true;
    return resourceVersion;
  }
}

const RELIST_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export function keyOf(object: Named): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Waits, or stops early on abort; its abort listener goes with it (the signal lives as long as the informer). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
