import { PipelineError } from '@spotify-pipeline/shared';
import type { ResourceRef } from './resources.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    finalizers?: string[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Anything with a type and a name the API server can take. */
export interface Applyable {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface ListResult<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

/**
 * A non-2xx answer from the API server, with its Status object. Retriable unless the request itself was
 * refused or the object or kind is not there.
 */
export class KubeApiError extends PipelineError {
  static override readonly code: string = 'ERR_KUBE_API';
  constructor(
    readonly statusCode: number,
    readonly status: {
      reason?: string;
      message?: string;
      details?: { kind?: string; group?: string; name?: string };
    },
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${status.reason ?? ''} ${status.message ?? ''}`.trim(), {
      retriable: statusCode !== 404 && !refused(statusCode),
    });
  }
  /** 404 because the kind itself is not served (CRD not installed), not because the object is missing. */
  get resourceMissing(): boolean {
    return this.statusCode === 404 && this.status.details === undefined;
  }
  /** The request itself was refused (invalid object, forbidden): sending it again cannot succeed. */
  get rejected(): boolean {
    return refused(this.statusCode);
  }
}

const refused = (statusCode: number) =>
  statusCode >= 400 && statusCode < 500 && ![404, 408, 409, 429].includes(statusCode);

/** The API server did not answer within the request's deadline. */
export class KubeTimeoutError extends PipelineError {
  static override readonly code: string = 'ERR_KUBE_TIMEOUT';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path}: the API server did not answer within ${timeoutMs / 1000}s`, {
      retriable: true,
    });
  }
}

export const isNotFound = (err: unknown) => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown) => err instanceof KubeApiError && err.statusCode === 409;

/**
 * Everything the operator asks of the Kubernetes API. `KubeClient` speaks to a real API server;
 * `MemoryKube` keeps objects in memory for unit tests of the reconcile steps.
 */
export interface KubeApi {
  readonly fieldManager: string;
  get<T extends KubeObject>(ref: ResourceRef): Promise<T>;
  /** The object, or null when it does not exist; a kind the server does not serve still throws. */
  getOrNull<T extends KubeObject>(ref: ResourceRef): Promise<T | null>;
  list<T extends KubeObject>(ref: ResourceRef, query?: Record<string, string>): Promise<ListResult<T>>;
  /** Server-side apply (force) under `fieldManager`; `subresource` 'status' writes only the status. */
  apply<T extends KubeObject>(object: Applyable, subresource?: string, fieldManager?: string): Promise<T>;
  create<T extends KubeObject>(object: Applyable): Promise<T>;
  /** Update with optimistic concurrency: the object's metadata.resourceVersion must be current. */
  replace<T extends KubeObject>(object: Applyable): Promise<T>;
  /** Deletes; true if it existed. */
  delete(ref: ResourceRef): Promise<boolean>;
  /**
   * Streams watch events from `query.resourceVersion` until the server ends the stream or `signal` aborts.
   * A 410 Gone arrives as an ERROR event with code 410; the caller relists.
   */
  watch<T>(
    ref: ResourceRef,
    query: Record<string, string>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
  close(): void;
}
