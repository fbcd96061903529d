import { Informer, type InformerOptions } from './informer.js';

interface Named {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** What the controller reads from a watched kind: an informer's cache, whichever namespaces it spans. */
export interface WatchCache<T> {
  readonly kind: string;
  readonly apiVersion: string;
  readonly hasSynced: boolean;
  /** True when objects in this namespace are watched (absent from the cache then means absent). */
  covers(namespace: string): boolean;
  get(key: string): T | undefined;
  list(): T[];
  start(): void;
  stop(): Promise<void>;
}

/**
 * One informer across the cluster, or (namespaces listed) one per namespace, so that every list and
 * watch is a namespaced request and the operator needs rights in those namespaces only.
 */
export function watchCache<T extends Named>(
  options: InformerOptions<T>,
  namespaces: readonly string[],
): WatchCache<T> {
  if (namespaces.length === 0) return new Informer(options);
  return new NamespacedCache(
    options,
    new Map(
      namespaces.map((ns) => [
        ns,
        new Informer({ ...options, resource: { ...options.resource, namespace: ns } }),
      ]),
    ),
  );
}

class NamespacedCache<T extends Named> implements WatchCache<T> {
  constructor(
    private readonly options: InformerOptions<T>,
    private readonly informers: Map<string, Informer<T>>,
  ) {}

  get kind(): string {
    return this.options.resource.kind;
  }

  get apiVersion(): string {
    return this.options.resource.apiVersion;
  }

  get hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced);
  }

  covers(namespace: string): boolean {
    return this.informers.has(namespace);
  }

  get(key: string): T | undefined {
    return this.informers.get(key.slice(0, key.indexOf('/')))?.get(key);
  }

  list(): T[] {
    return [...this.informers.values()].flatMap((i) => i.list());
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
