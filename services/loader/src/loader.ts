import { ConfigError, type Logger, TOPICS, UnavailableError } from '@spotify-pipeline/shared';
import { listAllObjects, type ObjectStoreClient } from '@spotify-pipeline/shared/object-store';
import { checkBronzeObject } from './bronze-lines.js';
import { bronzeTableFor } from './bronze-tables.js';
import { type BronzeObject, pendingObjects, topicPrefix } from './lake-objects.js';
import { checkParquetObject } from './parquet-lines.js';
import { loadQuarantining } from './quarantine.js';
import type { PreparedObject, Warehouse } from './warehouse.js';

export interface LoadSummary {
  warehouse: Warehouse['kind'];
  objectsLoaded: number;
  rowsLoaded: number;
  /** Lines kept out of bronze (in `bronze._rejected_rows`, with the reason, object and line). */
  rowsRejected: number;
  bytesLoaded: number;
  alreadyLoaded: number;
  /** Keys under a topic prefix that are not contract-named bronze objects: listed, never loaded. */
  ignored: number;
  seconds: number;
  /** Where the run's wall time went (seconds); fetch and check overlap the inserts, so they are summed apart. */
  phases: LoadPhases;
}

interface LoadPhases {
  /** Manifest read and lake listing. */
  list: number;
  /** Waiting for the next batch's objects to be downloaded and checked (the loop was idle). */
  waitForObjects: number;
  /** Warehouse transactions: rows, rejected rows and manifest rows. */
  insert: number;
  /** Summed over objects (concurrent, so may exceed the wall time): download, then line checks. */
  fetchTotal: number;
  checkTotal: number;
}

export interface Loader {
  run(): Promise<LoadSummary>;
}

/** Reads an object from the lake and splits its lines into those to load and those to quarantine. */
async function readObject(
  store: ObjectStoreClient,
  bucket: string,
  object: BronzeObject,
  eventsTopic: string,
  phases: LoadPhases,
): Promise<PreparedObject> {
  const fetchStarted = performance.now();
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await store.getObject(bucket, object.key)) chunks.push(chunk as Buffer);
  } catch (err) {
    throw new UnavailableError(`could not read lake object ${object.key}`, { cause: err });
  }
  const table = bronzeTableFor(object.topic, eventsTopic);
  if (!table) throw new ConfigError(`no bronze table for topic ${object.topic}`);
  const bytes = Buffer.concat(chunks);
  const checkStarted = performance.now();
  phases.fetchTotal += (checkStarted - fetchStarted) / 1000;
  const checked =
    object.format === 'parquet'
      ? await checkParquetObject(bytes, table)
      : await checkBronzeObject(bytes, table);
  phases.checkTotal += (performance.now() - checkStarted) / 1000;
  return { object, table, ...checked };
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
  /** The lake topic whose objects are listening events (the pipeline's events topic); default the contract's. */
  eventsTopic?: string;
  batchFiles: number;
  prefetch: number;
  logger: Logger;
}): Loader {
  const { store, bucket, warehouse, topics, batchFiles, prefetch } = params;
  const eventsTopic = params.eventsTopic ?? TOPICS.listeningEvents;
  const logger = params.logger.child({ component: 'loader', warehouse: warehouse.kind });
  const unknown = topics.filter((t) => !bronzeTableFor(t, eventsTopic));
  if (unknown.length > 0)
    throw new ConfigError(`LOADER_TOPICS has topics with no bronze table: ${unknown.join(', ')}`);

  return {
    async run() {
      const started = performance.now();
      const phases: LoadPhases = { list: 0, waitForObjects: 0, insert: 0, fetchTotal: 0, checkTotal: 0 };
      const since = (t: number) => (performance.now() - t) / 1000;
      await warehouse.prepare();
      const loaded = await warehouse.loadedKeys();
      const listed = (
        await Promise.all(topics.map((topic) => listAllObjects(store, bucket, topicPrefix(topic))))
      ).flat();
      const { pending, ignored } = pendingObjects(listed, loaded);
      phases.list = since(started);
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
      const fetches = new Map<number, Promise<PreparedObject>>();
      const fetchAt = (i: number) => {
        let p = fetches.get(i);
        if (!p) {
          p = readObject(store, bucket, pending[i]!, eventsTopic, phases);
          p.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
          fetches.set(i, p);
        }
        return p;
      };

      let objectsLoaded = 0;
      let rowsLoaded = 0;
      let rowsRejected = 0;
      let bytesLoaded = 0;
      for (let start = 0; start < pending.length; start += batchFiles) {
        const end = Math.min(start + batchFiles, pending.length);
        for (let i = start; i < Math.min(end + prefetch, pending.length); i++) fetchAt(i);
        const batch: PreparedObject[] = [];
        const waitStarted = performance.now();
        for (let i = start; i < end; i++) batch.push(await fetchAt(i));
        phases.waitForObjects += since(waitStarted);
        const insertStarted = performance.now();
        const counts = await loadQuarantining(warehouse, batch, logger);
        phases.insert += since(insertStarted);
        for (let i = start; i < end; i++) fetches.delete(i);
        objectsLoaded += batch.length;
        rowsLoaded += counts.reduce((a, b) => a + b, 0);
        for (const prepared of batch) {
          rowsRejected += prepared.rejected.length;
          for (const r of prepared.rejected.slice(0, 5))
            logger.warn(
              { key: prepared.object.key, line: r.line, code: r.code, reason: r.reason },
              'line kept out of bronze (see bronze._rejected_rows)',
            );
        }
        bytesLoaded += batch.reduce((sum, f) => sum + f.object.sizeBytes, 0);
        const seconds = (performance.now() - started) / 1000;
        logger.info(
          {
            objectsLoaded,
            objectsPending: pending.length,
            rowsLoaded,
            rowsRejected,
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
        rowsRejected,
        bytesLoaded,
        alreadyLoaded: listed.length - pending.length - ignored.length,
        ignored: ignored.length,
        seconds: since(started),
        phases,
      };
    },
  };
}
