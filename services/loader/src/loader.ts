import { ConfigError, type Logger, UnavailableError } from '@spotify-pipeline/shared';
import { listAllObjects, type ObjectStoreClient } from '@spotify-pipeline/shared/object-store';
import { bronzeTableFor } from './bronze-tables.js';
import { type BronzeObject, pendingObjects, topicPrefix } from './lake-objects.js';
import type { FetchedObject, Warehouse } from './warehouse.js';

export interface LoadSummary {
  warehouse: Warehouse['kind'];
  objectsLoaded: number;
  rowsLoaded: number;
  bytesLoaded: number;
  alreadyLoaded: number;
  /** Keys under a topic prefix that are not contract-named bronze objects: listed, never loaded. */
  ignored: number;
  seconds: number;
}

export interface Loader {
  run(): Promise<LoadSummary>;
}

async function readObject(
  store: ObjectStoreClient,
  bucket: string,
  object: BronzeObject,
): Promise<FetchedObject> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getObject(bucket, object.key)) chunks.push(chunk as Buffer);
    return { object, gzipped: Buffer.concat(chunks) };
  } catch (err) {
    throw new UnavailableError(`could not read lake object ${object.key}`, { cause: err });
  }
}

/**
 * Loads every bronze object of the configured topics that the warehouse's manifest does not list yet.
 * Objects go in batches, each batch one warehouse transaction with its manifest rows, while the next objects
 * download; a run killed anywhere leaves whole batches loaded and listed, and the next run takes the rest.
 */
export function createLoader(params: {
  store: ObjectStoreClient;
  bucket: string;
  warehouse: Warehouse;
  topics: readonly string[];
  batchFiles: number;
  prefetch: number;
  logger: Logger;
}): Loader {
  const { store, bucket, warehouse, topics, batchFiles, prefetch } = params;
  const logger = params.logger.child({ component: 'loader', warehouse: warehouse.kind });
  const unknown = topics.filter((t) => !bronzeTableFor(t));
  if (unknown.length > 0)
    throw new ConfigError(`LOADER_TOPICS has topics with no bronze table: ${unknown.join(', ')}`);

  return {
    async run() {
      const started = performance.now();
      await warehouse.prepare();
      const loaded = await warehouse.loadedKeys();
      const listed = (
        await Promise.all(topics.map((topic) => listAllObjects(store, bucket, topicPrefix(topic))))
      ).flat();
      const { pending, ignored } = pendingObjects(listed, loaded);
      const pendingBytes = pending.reduce((sum, o) => sum + o.sizeBytes, 0);
      for (const key of ignored.slice(0, 10))
        logger.warn({ key }, 'not a contract-named bronze object: skipped');
      logger.info(
        {
          listed: listed.length,
          pending: pending.length,
          pendingBytes,
          alreadyLoaded: listed.length - pending.length - ignored.length,
        },
        `found ${pending.length} new objects (${(pendingBytes / 1e6).toFixed(1)} MB) of ${listed.length} listed`,
      );

      // Downloads in flight or done but not loaded yet, by index into `pending`.
      const fetches = new Map<number, Promise<FetchedObject>>();
      const fetchAt = (i: number) => {
        let p = fetches.get(i);
        if (!p) {
          p = readObject(store, bucket, pending[i]!);
          p.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
          fetches.set(i, p);
        }
        return p;
      };

      let objectsLoaded = 0;
      let rowsLoaded = 0;
      let bytesLoaded = 0;
      for (let start = 0; start < pending.length; start += batchFiles) {
        const end = Math.min(start + batchFiles, pending.length);
        for (let i = start; i < Math.min(end + prefetch, pending.length); i++) fetchAt(i);
        const batch: FetchedObject[] = [];
        for (let i = start; i < end; i++) batch.push(await fetchAt(i));
        const counts = await warehouse.loadBatch(batch);
        for (let i = start; i < end; i++) fetches.delete(i);
        objectsLoaded += batch.length;
        rowsLoaded += counts.reduce((a, b) => a + b, 0);
        bytesLoaded += batch.reduce((sum, f) => sum + f.object.sizeBytes, 0);
        const seconds = (performance.now() - started) / 1000;
        logger.info(
          {
            objectsLoaded,
            objectsPending: pending.length,
            rowsLoaded,
            bytesLoaded,
            rowsPerSecond: Math.round(rowsLoaded / seconds),
          },
          `loaded ${objectsLoaded}/${pending.length} objects, ${rowsLoaded} rows, ${(bytesLoaded / 1e6).toFixed(1)} MB`,
        );
      }
      return {
        warehouse: warehouse.kind,
        objectsLoaded,
        rowsLoaded,
        bytesLoaded,
        alreadyLoaded: listed.length - pending.length - ignored.length,
        ignored: ignored.length,
        seconds: (performance.now() - started) / 1000,
      };
    },
  };
}
