import type { Applyable, KubeApi, KubeObject, ListResult, WatchEvent } from './api.js';
import { KubeApiError } from './api.js';
import type { ResourceRef } from './resources.js';

export interface ServedVersionOptions {
  group: string;
  /** The version the operator's builders and steps speak, e.g. `v1`. */
  canonical: string;
  /** Versions the operator can write, newest first: the first one the cluster serves is used. */
  preferred: string[];
  /** The versions the API server serves for the group (discovery); [] when it serves none. */
  discover: () => Promise<string[]>;
  /** Discovery is repeated this often (an upgrade can add or remove versions), and after a 404 on the group. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * A KubeApi that talks to one API group in the newest version the cluster serves, found by discovery:
 * requests for `<group>/<canonical>` go out as `<group>/<served>` and what comes back is labelled canonical
 * again, so the operator's caches and comparisons see one version. Only sound where every field the operator
 * writes and reads means the same in each preferred version (Strimzi's v1 and v1beta2 for the fields of
 * KafkaTopic, KafkaNodePool, KafkaRebalance and KafkaUser the operator uses: the schema tests check both).
 */
export class ServedVersionKube implements KubeApi {
  private served: { version: string | undefined; at: number } | undefined;
  private discovering: Promise<string | undefined> | undefined;

  constructor(
    private readonly inner: KubeApi,
    private readonly options: ServedVersionOptions,
  ) {}

  get fieldManager(): string {
    return this.inner.fieldManager;
  }

  /** `<group>/<version>` last found served, or undefined when the group is not served (or not looked up yet). */
  servedApiVersion(): string | undefined {
    const version = this.served?.version;
    return version ? `${this.options.group}/${version}` : undefined;
  }

  private async resolve(apiVersion: string): Promise<string> {
    if (apiVersion !== `${this.options.group}/${this.options.canonical}`) return apiVersion;
    const now = (this.options.now ?? Date.now)();
    if (!this.served || now - this.served.at > (this.options.ttlMs ?? 60_000)) {
      this.discovering ??= this.options
        .discover()
        .then((versions) => this.options.preferred.find((v) => versions.includes(v)))
        .finally(() => {
          this.discovering = undefined;
        });
      this.served = { version: await this.discovering, at: now };
    }
    return `${this.options.group}/${this.served.version ?? this.options.canonical}`;
  }

  private canonical<T>(obj: T): T {
    const o = obj as KubeObject | undefined;
    if (o && typeof o === 'object' && o.apiVersion?.startsWith(`${this.options.group}/`))
      return { ...o, apiVersion: `${this.options.group}/${this.options.canonical}` } as T;
    return obj;
  }

  private async call<T>(apiVersion: string, fn: (served: string) => Promise<T>): Promise<T> {
    const served = await this.resolve(apiVersion);
    try {
      return await fn(served);
    } catch (err) {
      // The CRDs were removed, upgraded or installed since: look again on the next call.
      if (
        apiVersion.startsWith(`${this.options.group}/`) &&
        err instanceof KubeApiError &&
        err.resourceMissing
      )
        this.served = undefined;
      throw err;
    }
  }

  private ref(ref: ResourceRef, served: string): ResourceRef {
    return { ...ref, apiVersion: served };
  }

  get<T extends KubeObject>(ref: ResourceRef): Promise<T> {
    return this.call(ref.apiVersion, async (v) => this.canonical(await this.inner.get<T>(this.ref(ref, v))));
  }

  getOrNull<T extends KubeObject>(ref: ResourceRef): Promise<T | null> {
    return this.call(ref.apiVersion, async (v) =>
      this.canonical(await this.inner.getOrNull<T>(this.ref(ref, v))),
    );
  }

  list<T extends KubeObject>(ref: ResourceRef, query?: Record<string, string>): Promise<ListResult<T>> {
    return this.call(ref.apiVersion, async (v) => {
      const result = await this.inner.list<T>(this.ref(ref, v), query);
      return { ...result, items: result.items.map((i) => this.canonical(i)) };
    });
  }

  apply<T extends KubeObject>(object: Applyable, subresource?: string, fieldManager?: string): Promise<T> {
    return this.call(object.apiVersion, async (v) =>
      this.canonical(await this.inner.apply<T>({ ...object, apiVersion: v }, subresource, fieldManager)),
    );
  }

  create<T extends KubeObject>(object: Applyable): Promise<T> {
    return this.call(object.apiVersion, async (v) =>
      this.canonical(await this.inner.create<T>({ ...object, apiVersion: v })),
    );
  }

  replace<T extends KubeObject>(object: Applyable): Promise<T> {
    return this.call(object.apiVersion, async (v) =>
      this.canonical(await this.inner.replace<T>({ ...object, apiVersion: v })),
    );
  }

  delete(ref: ResourceRef): Promise<boolean> {
    return this.call(ref.apiVersion, (v) => this.inner.delete(this.ref(ref, v)));
  }

  watch<T>(
    ref: ResourceRef,
    query: Record<string, string>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return this.call(ref.apiVersion, (v) =>
      this.inner.watch<T>(
        this.ref(ref, v),
        query,
        (event) => onEvent({ ...event, object: this.canonical(event.object) }),
        signal,
      ),
    );
  }

  close(): void {
    this.inner.close();
  }
}

/** Strimzi's group: the operator speaks v1 and writes v1beta2 only to a cluster that serves nothing newer. */
export const STRIMZI_GROUP = 'kafka.strimzi.io';
export const STRIMZI_PREFERRED_VERSIONS = ['v1', 'v1beta2'];

/** The versions the API server serves for `group`, from its discovery document; [] when it serves none. */
export async function servedVersions(
  request: <T>(method: string, path: string) => Promise<T>,
  group: string,
): Promise<string[]> {
  try {
    const doc = await request<{ versions?: Array<{ version: string }> }>('GET', `/apis/${group}`);
    return (doc.versions ?? []).map((v) => v.version);
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 404) return [];
    throw err;
  }
}
