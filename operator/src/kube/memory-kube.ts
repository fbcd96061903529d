import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  type Applyable,
  type KubeApi,
  KubeApiError,
  type KubeObject,
  type ListResult,
  type WatchEvent,
} from './api.js';
import type { ResourceRef } from './resources.js';

export interface MemoryKubeCall {
  verb: 'get' | 'list' | 'apply' | 'create' | 'replace' | 'delete' | 'watch';
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

interface Watcher {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  selector: Record<string, string>;
  onEvent: (event: WatchEvent<KubeObject>) => void;
}

type Json = Record<string, unknown>;

/**
 * An API server in memory, for unit tests of the reconcile steps: objects by kind and name, server-side
 * apply as a merge that also drops the fields a manager stopped applying, the status subresource,
 * finalizers, label selectors and watches. It checks no schema; the integration tests against the real
 * API server do. `intercept` runs before every call: throw to fail it, return a promise that never settles
 * to hang it.
 */
export class MemoryKube implements KubeApi {
  readonly fieldManager: string;
  readonly calls: MemoryKubeCall[] = [];
  intercept: ((call: MemoryKubeCall) => void | Promise<void>) | undefined;
  private readonly objects = new Map<string, KubeObject>();
  private readonly lastApplied = new Map<string, Json>();
  private readonly unserved = new Set<string>();
  private readonly watchers = new Set<Watcher>();
  private readonly namespaces: Set<string> | undefined;
  private version = 0;

  constructor(options: { fieldManager?: string; namespaces?: string[] } = {}) {
    this.fieldManager = options.fieldManager ?? 'memory-kube';
    this.namespaces = options.namespaces ? new Set(options.namespaces) : undefined;
  }

  /** The kind is not served (its CRD is not installed): every call on it is a 404 without details. */
  unserve(apiVersion: string, kind: string): void {
    this.unserved.add(`${apiVersion}/${kind}`);
  }

  serve(apiVersion: string, kind: string): void {
    this.unserved.delete(`${apiVersion}/${kind}`);
  }

  /** What another controller writes (status included), bypassing apply. */
  put<T extends object>(object: T): T {
    const key = keyOf(object as unknown as Applyable);
    const previous = this.objects.get(key);
    return this.store(key, structuredClone(object) as KubeObject, previous) as unknown as T;
  }

  /** The stored object, or undefined; synchronous, for assertions. */
  peek<T extends object = KubeObject>(ref: ResourceRef): T | undefined {
    return this.objects.get(refKey(ref)) as T | undefined;
  }

  /** Every stored object of a kind, for assertions. */
  all<T extends KubeObject>(apiVersion: string, kind: string): T[] {
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind) as T[];
  }

  async get<T extends KubeObject>(ref: ResourceRef): Promise<T> {
    await this.enter({ verb: 'get', ...refCall(ref) });
    const found = this.objects.get(refKey(ref));
    if (!found) throw notFound('GET', ref);
    return structuredClone(found) as T;
  }

  async getOrNull<T extends KubeObject>(ref: ResourceRef): Promise<T | null> {
    await this.enter({ verb: 'get', ...refCall(ref) });
    const found = this.objects.get(refKey(ref));
    return found ? (structuredClone(found) as T) : null;
  }

  async list<T extends KubeObject>(
    ref: ResourceRef,
    query: Record<string, string> = {},
  ): Promise<ListResult<T>> {
    await this.enter({ verb: 'list', ...refCall(ref) });
    const selector = parseSelector(query.labelSelector);
    const items = [...this.objects.values()].filter((o) => matches(o, ref, selector));
    return { metadata: { resourceVersion: String(this.version) }, items: structuredClone(items) as T[] };
  }

  async apply<T extends KubeObject>(
    object: Applyable,
    subresource?: string,
    fieldManager = this.fieldManager,
  ): Promise<T> {
    await this.enter({ verb: 'apply', ...refCall(toRef(object)), subresource });
    const key = keyOf(object);
    const existing = this.objects.get(key);
    const appliedKey = `${fieldManager}|${subresource ?? ''}|${key}`;
    const applied = structuredClone(object) as unknown as Json;
    const previous = this.lastApplied.get(appliedKey) ?? {};
    if (subresource === 'status') {
      if (!existing) throw notFound('PATCH', toRef(object));
      const status = mergeApplied(
        (existing.status ?? {}) as Json,
        (previous.status ?? {}) as Json,
        (applied.status ?? {}) as Json,
      );
      this.lastApplied.set(appliedKey, applied);
      return structuredClone(this.store(key, { ...structuredClone(existing), status }, existing)) as T;
    }
    const { status: _ignored, ...spec } = applied;
    this.checkNamespace(object);
    const base = existing ? (structuredClone(existing) as Json) : {};
    const merged = mergeApplied(base, previous, spec) as KubeObject;
    this.lastApplied.set(appliedKey, spec);
    return structuredClone(this.store(key, merged, existing)) as T;
  }

  async create<T extends KubeObject>(object: Applyable): Promise<T> {
    await this.enter({ verb: 'create', ...refCall(toRef(object)) });
    const meta = (object.metadata ?? {}) as { name?: string; generateName?: string };
    const name = meta.name ?? `${meta.generateName ?? ''}${randomUUID().slice(0, 5)}`;
    const named = { ...structuredClone(object), metadata: { ...object.metadata, name } } as KubeObject;
    const key = keyOf(named as Applyable);
    if (this.objects.has(key))
      throw new KubeApiError(
        409,
        { reason: 'AlreadyExists', message: `${object.kind} "${name}" already exists`, details: { name } },
        'POST',
        key,
      );
    this.checkNamespace(object);
    return structuredClone(this.store(key, named, undefined)) as T;
  }

  async replace<T extends KubeObject>(object: Applyable): Promise<T> {
    await this.enter({ verb: 'replace', ...refCall(toRef(object)) });
    const key = keyOf(object);
    const existing = this.objects.get(key);
    if (!existing) throw notFound('PUT', toRef(object));
    const sent = (object as KubeObject).metadata?.resourceVersion;
    if (sent !== undefined && sent !== existing.metadata?.resourceVersion)
      throw new KubeApiError(
        409,
        { reason: 'Conflict', message: 'the object has been modified', details: {} },
        'PUT',
        key,
      );
    return structuredClone(this.store(key, structuredClone(object) as KubeObject, existing)) as T;
  }

  async delete(ref: ResourceRef): Promise<boolean> {
    await this.enter({ verb: 'delete', ...refCall(ref) });
    const key = refKey(ref);
    const existing = this.objects.get(key);
    if (!existing) return false;
    if (existing.metadata?.finalizers?.length) {
      if (!existing.metadata.deletionTimestamp) {
        const marked = structuredClone(existing);
        (marked.metadata as { deletionTimestamp?: string }).deletionTimestamp = new Date().toISOString();
        this.store(key, marked, existing);
      }
      return true;
    }
    this.remove(key, existing);
    return true;
  }

  async watch<T>(
    ref: ResourceRef,
    query: Record<string, string>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.enter({ verb: 'watch', ...refCall(ref) });
    const watcher: Watcher = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      namespace: ref.namespace,
      selector: parseSelector(query.labelSelector),
      onEvent: onEvent as (event: WatchEvent<KubeObject>) => void,
    };
    this.watchers.add(watcher);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.watchers.delete(watcher);
  }

  close(): void {
    this.watchers.clear();
  }

  private async enter(call: MemoryKubeCall): Promise<void> {
    this.calls.push(call);
    await this.intercept?.(call);
    if (this.unserved.has(`${call.apiVersion}/${call.kind}`))
      throw new KubeApiError(
        404,
        { reason: 'NotFound', message: 'the server could not find the requested resource' },
        call.verb,
        call.kind,
      );
  }

  private checkNamespace(object: Applyable): void {
    const ns = object.metadata?.namespace;
    if (ns && this.namespaces && !this.namespaces.has(ns))
      throw new KubeApiError(
        404,
        {
          reason: 'NotFound',
          message: `namespaces "${ns}" not found`,
          details: { kind: 'namespaces', name: ns },
        },
        'PATCH',
        ns,
      );
  }

  private store(key: string, next: KubeObject, previous: KubeObject | undefined): KubeObject {
    next.metadata ??= {};
    const meta = next.metadata;
    const before = previous?.metadata;
    meta.uid = before?.uid ?? meta.uid ?? randomUUID();
    meta.creationTimestamp = before?.creationTimestamp ?? meta.creationTimestamp ?? new Date().toISOString();
    if (before?.deletionTimestamp) meta.deletionTimestamp = before.deletionTimestamp;
    const specChanged =
      !previous || !isDeepStrictEqual(withoutMetaAndStatus(previous), withoutMetaAndStatus(next));
    meta.generation = (before?.generation ?? 0) + (specChanged ? 1 : 0);
    if (meta.deletionTimestamp && !meta.finalizers?.length) {
      this.remove(key, next);
      return next;
    }
    if (
      previous &&
      isDeepStrictEqual(previous, {
        ...next,
        metadata: { ...meta, resourceVersion: before?.resourceVersion },
      })
    )
      return previous;
    meta.resourceVersion = String(++this.version);
    this.objects.set(key, next);
    this.emit(previous ? 'MODIFIED' : 'ADDED', next);
    return next;
  }

  private remove(key: string, object: KubeObject): void {
    this.objects.delete(key);
    this.version++;
    this.emit('DELETED', object);
  }

  private emit(type: WatchEvent<KubeObject>['type'], object: KubeObject): void {
    for (const w of this.watchers) {
      if (matches(object, w, w.selector)) w.onEvent({ type, object: structuredClone(object) });
    }
  }
}

function toRef(object: Applyable): ResourceRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata?.namespace,
    name: object.metadata?.name,
  };
}

function refCall(ref: ResourceRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name };
}

function refKey(ref: ResourceRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name ?? ''}`;
}

function keyOf(object: Applyable): string {
  return refKey(toRef(object));
}

function notFound(method: string, ref: ResourceRef): KubeApiError {
  return new KubeApiError(
    404,
    {
      reason: 'NotFound',
      message: `${ref.kind} "${ref.name}" not found`,
      details: { kind: ref.kind, name: ref.name ?? '' },
    },
    method,
    refKey(ref),
  );
}

function parseSelector(selector: string | undefined): Record<string, string> {
  if (!selector) return {};
  return Object.fromEntries(
    selector.split(',').map((term) => {
      const [k, v] = term.split('=');
      return [k?.trim() ?? '', v?.trim() ?? ''];
    }),
  );
}

function matches(
  object: KubeObject,
  ref: { apiVersion: string; kind: string; namespace?: string | undefined },
  selector: Record<string, string>,
): boolean {
  if (object.apiVersion !== ref.apiVersion || object.kind !== ref.kind) return false;
  if (ref.namespace && object.metadata?.namespace !== ref.namespace) return false;
  const labels = object.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function withoutMetaAndStatus(object: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Server-side apply in brief: the fields this manager applied last time and no longer applies are
 * removed, then the applied fields are merged in (maps merge, lists and scalars replace).
 */
function mergeApplied(existing: Json, previous: Json, applied: Json): Json {
  const out: Json = { ...existing };
  for (const k of Object.keys(previous)) if (!(k in applied)) delete out[k];
  for (const [k, v] of Object.entries(applied)) {
    out[k] =
      isPlainObject(v) && isPlainObject(out[k])
        ? mergeApplied(out[k] as Json, isPlainObject(previous[k]) ? (previous[k] as Json) : {}, v)
        : structuredClone(v);
  }
  return out;
}
