import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeObject, type WatchEvent } from './api.js';
import { MemoryKube } from './memory-kube.js';

const cm = (data: Record<string, string>, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', labels },
  data,
});
const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'c' };

describe('MemoryKube', () => {
  it('applies as a merge and drops the fields a manager stopped applying', async () => {
    const kube = new MemoryKube();
    await kube.apply(cm({ a: '1', b: '2' }));
    await kube.apply(cm({ x: 'theirs' }), undefined, 'someone-else');
    const after = await kube.apply<KubeObject & { data: Record<string, string> }>(cm({ a: '3' }));
    expect(after.data).toEqual({ a: '3', x: 'theirs' });
    expect(after.metadata?.resourceVersion).toBeDefined();
  });

  it('keeps status apart: a main apply ignores it, the status subresource writes only it', async () => {
    const kube = new MemoryKube();
    await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns' },
      spec: { replicas: 1 },
      status: { ready: 9 },
    } as never);
    const dref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'd' };
    expect(kube.peek(dref)?.status).toBeUndefined();
    await kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'ns' },
        status: { ready: 1 },
      } as never,
      'status',
    );
    expect(kube.peek(dref)).toMatchObject({
      spec: { replicas: 1 },
      status: { ready: 1 },
      metadata: { generation: 1 },
    });
    await expect(
      kube.apply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'x', namespace: 'ns' },
          status: {},
        } as never,
        'status',
      ),
    ).rejects.toThrow(KubeApiError);
  });

  it('bumps the generation only when the spec changes, and no version when nothing changes', async () => {
    const kube = new MemoryKube();
    const first = await kube.apply(cm({ a: '1' }));
    const same = await kube.apply(cm({ a: '1' }));
    expect(same.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const changed = await kube.apply(cm({ a: '2' }));
    expect(changed.metadata?.generation).toBe(2);
  });

  it('holds a deleted object with finalizers until the last one goes', async () => {
    const kube = new MemoryKube();
    await kube.apply({ ...cm({}), metadata: { ...cm({}).metadata, finalizers: ['f'] } } as never);
    expect(await kube.delete(ref)).toBe(true);
    expect(kube.peek(ref)?.metadata?.deletionTimestamp).toBeDefined();
    await kube.apply({ ...cm({}), metadata: { ...cm({}).metadata, finalizers: [] } } as never);
    expect(kube.peek(ref)).toBeUndefined();
    expect(await kube.delete(ref)).toBe(false);
  });

  it('lists and watches by label selector', async () => {
    const kube = new MemoryKube();
    const events: string[] = [];
    const stop = new AbortController();
    const watching = kube.watch<KubeObject>(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { labelSelector: 'app=x' },
      (e: WatchEvent<KubeObject>) => events.push(`${e.type} ${e.object.metadata?.name}`),
      stop.signal,
    );
    await kube.apply(cm({}, { app: 'x' }));
    await kube.apply({
      ...cm({}),
      metadata: { name: 'other', namespace: 'ns', labels: { app: 'y' } },
    } as never);
    await kube.delete(ref);
    stop.abort();
    await watching;
    expect(events).toEqual(['ADDED c', 'DELETED c']);
    expect(
      (await kube.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns' }, { labelSelector: 'app=y' }))
        .items,
    ).toHaveLength(1);
  });

  it('answers 404 without details for a kind it does not serve, and 409 for a second create', async () => {
    const kube = new MemoryKube();
    kube.unserve('keda.sh/v1alpha1', 'ScaledObject');
    const err = await kube
      .getOrNull({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', namespace: 'ns', name: 'x' })
      .catch((e: unknown) => e);
    expect((err as KubeApiError).resourceMissing).toBe(true);
    await kube.create(cm({}));
    const dup = await kube.create(cm({})).catch((e: unknown) => e);
    expect((dup as KubeApiError).statusCode).toBe(409);
  });

  it('lets a test fail or hang any call', async () => {
    const kube = new MemoryKube();
    kube.intercept = (call) => {
      if (call.verb === 'apply') throw new KubeApiError(422, { message: 'no' }, 'PATCH', call.kind);
      if (call.verb === 'get') return new Promise(() => {});
    };
    await expect(kube.apply(cm({}))).rejects.toThrow('no');
    const hung = await Promise.race([
      kube.get(ref).then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('hung'), 50)),
    ]);
    expect(hung).toBe('hung');
    expect(kube.calls.map((c) => c.verb)).toEqual(['apply', 'get']);
  });
});
