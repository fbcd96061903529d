import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { type KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import {
  type Applyable,
  isNotFound,
  type KubeApi,
  KubeApiError,
  type KubeObject,
  KubeTimeoutError,
  type ListResult,
  type WatchEvent,
} from './api.js';
import { type ResourceRef, resourcePath } from './resources.js';

export * from './api.js';

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
  /** Deadline of one request, body included (watches excepted). */
  requestTimeoutMs?: number;
  /** Server-side length of one watch; the client gives up this much plus a grace period later. */
  watchSeconds?: number;
}

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  /** Another representation, e.g. the Table that `kubectl get` prints. */
  accept?: string;
}

/** Unknown or duplicate fields in what we send fail the request instead of being dropped in silence. */
const STRICT = { fieldValidation: 'Strict' };

/**
 * A small REST client over the kubeconfig's TLS and auth settings (from @kubernetes/client-node): typed
 * paths without discovery, server-side apply (status subresource included), streaming watches, a
 * deadline on every request, and a request counter the benchmark reads.
 */
export class KubeClient implements KubeApi {
  requests = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly server: URL;
  private readonly kc: KubeConfig;
  private readonly requestTimeoutMs: number;
  private readonly watchSeconds: number;
  readonly fieldManager: string;

  constructor(options: KubeClientOptions) {
    this.kc = options.kubeConfig;
    this.fieldManager = options.fieldManager;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.watchSeconds = options.watchSeconds ?? 300;
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /** One request, answered or failed within the request deadline. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const deadline = AbortSignal.timeout(this.requestTimeoutMs);
    try {
      const res = await this.raw(method, path, options, deadline);
      const text = await readAll(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw new KubeApiError(status, parseStatus(text), method, path);
      return (text ? JSON.parse(text) : {}) as T;
    } catch (err) {
      if (deadline.aborted && !(err instanceof KubeApiError))
        throw new KubeTimeoutError(method, path, this.requestTimeoutMs);
      throw err;
    }
  }

  private async raw(
    method: string,
    path: string,
    options: RequestOptions,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
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
      headers: { accept: options.accept ?? 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(opts as never);
    opts.agent = this.agent;
    // node:https destroys the request (and its response stream) when the signal aborts, and removes its
    // abort listener once the socket is released: nothing accumulates on a long-lived signal.
    opts.signal = signal;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) {
      // Explicit length: Node sends DELETE bodies unframed otherwise, which corrupts the kept-alive socket.
      opts.headers = {
        ...opts.headers,
        'content-type': options.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(body),
      };
    }
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(opts, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  get<T extends KubeObject>(ref: ResourceRef): Promise<T> {
    return this.request<T>('GET', resourcePath(ref));
  }

  /** The object, or null when it does not exist; a kind the server does not serve still throws. */
  async getOrNull<T extends KubeObject>(ref: ResourceRef): Promise<T | null> {
    try {
      return await this.get<T>(ref);
    } catch (err) {
      if (isNotFound(err) && !(err as KubeApiError).resourceMissing) return null;
      throw err;
    }
  }

  list<T extends KubeObject>(ref: ResourceRef, query: Record<string, string> = {}): Promise<ListResult<T>> {
    return this.request<ListResult<T>>('GET', resourcePath(ref), { query });
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
      query: { fieldManager, force: 'true', ...STRICT },
    });
  }

  create<T extends KubeObject>(object: Applyable): Promise<T> {
    return this.request<T>(
      'POST',
      resourcePath({ ...object, namespace: object.metadata?.namespace, name: undefined }),
      { body: object, query: { fieldManager: this.fieldManager, ...STRICT } },
    );
  }

  replace<T extends KubeObject>(object: Applyable): Promise<T> {
    const ref = { ...object, namespace: object.metadata?.namespace, name: object.metadata?.name };
    return this.request<T>('PUT', resourcePath(ref), {
      body: object,
      query: { fieldManager: this.fieldManager, ...STRICT },
    });
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

  async watch<T>(
    ref: ResourceRef,
    query: Record<string, string>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const path = resourcePath(ref);
    // The server closes the stream after watchSeconds; one that says nothing for longer is hung.
    const deadline = AbortSignal.timeout((this.watchSeconds + 30) * 1000);
    const stop = AbortSignal.any([signal, deadline]);
    const res = await this.raw(
      'GET',
      path,
      {
        query: {
          ...query,
          watch: 'true',
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(this.watchSeconds),
        },
      },
      stop,
    );
    if ((res.statusCode ?? 0) >= 300) {
      throw new KubeApiError(res.statusCode ?? 0, parseStatus(await readAll(res)), 'WATCH', path);
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
      res.on('error', (err) => (stop.aborted ? resolve() : reject(err)));
      res.on('close', resolve);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseStatus(text: string): KubeApiError['status'] {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the API server closed the response early'));
    });
  });
}
