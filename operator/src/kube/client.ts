import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, request } from 'node:https';
import { type KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import { type ResourceRef, resourcePath } from './resources.js';

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
    finalizers?: string[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A non-2xx answer from the API server, with its Status object. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: { reason?: string; message?: string; details?: { kind?: string; group?: string } },
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${status.reason ?? ''} ${status.message ?? ''}`.trim());
  }
  /** 404 because the kind itself is not served (CRD not installed), not because the object is missing. */
  get resourceMissing(): boolean {
    return this.statusCode === 404 && this.status.details === undefined;
  }
}

export const isNotFound = (err: unknown) => err instanceof KubeApiError && err.statusCode === 404;

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

const requestScope = new AsyncLocalStorage<{ requests: number }>();

/** Runs `fn` and counts the API requests it (and only it, among concurrent work) makes. */
export async function countRequests<T>(fn: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const scope = { requests: 0 };
  const result = await requestScope.run(scope, fn);
  return { result, requests: scope.requests };
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  fieldManager: string;
}

/**
 * A small REST client over the kubeconfig's TLS and auth settings (from @kubernetes/client-node): typed
 * paths without discovery, server-side apply (status subresource included), streaming watches, and a
 * request counter the benchmark reads.
 */
export class KubeClient {
  requests = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly server: URL;
  private readonly kc: KubeConfig;
  readonly fieldManager: string;

  constructor(options: KubeClientOptions) {
    this.kc = options.kubeConfig;
    this.fieldManager = options.fieldManager;
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Record<string, string> } = {},
  ): Promise<T> {
    const res = await this.raw(method, path, options);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      let parsed: KubeApiError['status'] = { message: text.slice(0, 500) };
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw new KubeApiError(status, parsed, method, path);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  private async raw(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Record<string, string> },
    signal?: AbortSignal,
  ) {
    this.requests++;
    const scope = requestScope.getStore();
    if (scope) scope.requests++;
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const opts: Parameters<typeof request>[1] = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      agent: this.agent,
      headers: { accept: 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(opts as never);
    opts.agent = this.agent;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) {
      // Explicit length: Node sends DELETE bodies unframed otherwise, which corrupts the kept-alive socket.
      opts.headers = {
        ...opts.headers,
        'content-type': options.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(body),
      };
    }
    return new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(opts, resolve);
      req.on('error', reject);
      if (signal) {
        if (signal.aborted) req.destroy(new Error('aborted'));
        signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
      }
      req.end(body);
    });
  }

  get<T extends KubeObject>(ref: ResourceRef): Promise<T> {
    return this.request<T>('GET', resourcePath(ref));
  }

  async getOrNull<T extends KubeObject>(ref: ResourceRef): Promise<T | null> {
    try {
      return await this.get<T>(ref);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  list<T extends KubeObject>(ref: ResourceRef, query: Record<string, string> = {}) {
    return this.request<{ metadata: { resourceVersion: string; continue?: string }; items: T[] }>(
      'GET',
      resourcePath(ref),
      { query },
    );
  }

  /** Server-side apply under the operator's field manager; `force` takes over fields others changed. */
  apply<T extends KubeObject>(
    object: Applyable,
    subresource?: string,
    fieldManager = this.fieldManager,
  ): Promise<T> {
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata?.namespace,
      name: object.metadata?.name,
    };
    return this.request<T>('PATCH', resourcePath(ref, subresource), {
      body: object,
      contentType: PatchStrategy.ServerSideApply,
      query: { fieldManager, force: 'true' },
    });
  }

  create<T extends KubeObject>(object: Applyable): Promise<T> {
    return this.request<T>(
      'POST',
      resourcePath({ ...object, namespace: object.metadata?.namespace, name: undefined }),
      {
        body: object,
      },
    );
  }

  replace<T extends KubeObject>(object: Applyable): Promise<T> {
    const ref = { ...object, namespace: object.metadata?.namespace, name: object.metadata?.name };
    return this.request<T>('PUT', resourcePath(ref), { body: object });
  }

  /** Deletes; true if it existed. Background propagation so owned objects follow. */
  async delete(ref: ResourceRef): Promise<boolean> {
    try {
      await this.request('DELETE', resourcePath(ref), { body: { propagationPolicy: 'Background' } });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Streams watch events from `resourceVersion` until the server closes the stream or `signal` aborts.
   * A 410 Gone arrives as an ERROR event with code 410; the caller relists.
   */
  async watch<T>(
    ref: ResourceRef,
    query: Record<string, string>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const path = resourcePath(ref);
    const res = await this.raw(
      'GET',
      path,
      { query: { ...query, watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: '300' } },
      signal,
    );
    if ((res.statusCode ?? 0) >= 300) {
      const text = await readAll(res);
      let parsed: KubeApiError['status'] = { message: text };
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw new KubeApiError(res.statusCode ?? 0, parsed, 'WATCH', path);
    }
    let buffer = '';
    res.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) onEvent(JSON.parse(line) as WatchEvent<T>);
          nl = buffer.indexOf('\n');
        }
      });
      res.on('end', resolve);
      res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      res.on('close', resolve);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function readAll(res: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
