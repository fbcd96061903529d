import { createLogger } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import type { KubeClient, WatchEvent } from '../kube/client.js';
import { MemoryKube } from '../kube/memory-kube.js';
import { Informer } from './informer.js';

type Item = { metadata: { name: string; namespace: string; resourceVersion: string } };
const item = (name: string, rv: string): Item => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

/** A scripted API server: each list returns the next snapshot; each watch plays the next event script. */
function fakeClient(lists: Item[][], watches: Array<Array<WatchEvent<unknown>>>) {
  const watchedFrom: string[] = [];
  let listCalls = 0;
  const client = {
    list: async () => {
      const items = lists[Math.min(listCalls, lists.length - 1)] ?? [];
      listCalls++;
      return { metadata: { resourceVersion: String(10 * listCalls) }, items };
    },
    watch: async (
      _ref: unknown,
      query: Record<string, string>,
      onEvent: (e: WatchEvent<unknown>) => void,
      signal: AbortSignal,
    ) => {
      watchedFrom.push(query.resourceVersion ?? '');
      const script = watches.shift();
      if (!script) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      for (const event of script) onEvent(event);
    },
  };
  return { client: client as unknown as KubeClient, watchedFrom, lists: () => listCalls };
}

describe('Informer', () => {
  it('watches from the list resourceVersion, follows events, and relists after 410 Gone', async () => {
    const changes: string[] = [];
    const fake = fakeClient(
      [[item('a', '1')], [item('b', '30')]],
      [
        [
          { type: 'ADDED', object: item('c', '11') },
          { type: 'BOOKMARK', object: item('', '12') },
        ],
        [{ type: 'ERROR', object: { code: 410, message: 'too old resource version' } }],
      ],
    );
    const informer = new Informer<Item>({
      client: fake.client,
      resource: { apiVersion: 'v1', kind: 'ConfigMap' },
      logger: createLogger({ name: 'test', level: 'silent' }),
      onChange: (obj, deleted) => changes.push(`${deleted ? '-' : '+'}${obj.metadata.name}`),
    });
    informer.start();
    await new Promise((r) => setTimeout(r, 50));
    await informer.stop();
    // first watch from the list's version, second from the bookmark, third after the relist
    expect(fake.watchedFrom).toEqual(['10', '12', '20']);
    expect(fake.lists()).toBe(2);
    expect(changes).toEqual(['+a', '+c', '-a', '-c', '+b']);
    expect(informer.list().map((i) => i.metadata.name)).toEqual(['b']);
    expect(informer.hasSynced).toBe(true);
  });
});

describe('Informer of a kind that is not served', () => {
  it('retries for as long as it takes without piling up abort listeners (no leak warning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const kube = new MemoryKube();
    kube.unserve('keda.sh/v1alpha1', 'ScaledObject');
    const informer = new Informer({
      client: kube,
      resource: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' },
      logger: createLogger({ name: 'test', level: 'silent' }),
      retryDelayMs: 1,
      onChange: () => {},
    });
    informer.start();
    const lists = () => kube.calls.filter((c) => c.verb === 'list').length;
    // more retries than the default limit of 10 listeners: a leak would warn by then
    while (lists() <= 20) await new Promise((r) => setTimeout(r, 10));
    await informer.stop();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  });
});
