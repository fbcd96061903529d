import type { BronzeObject } from './lake-objects.js';

/** A bronze object's bytes as read from the lake: gzip-compressed JSON Lines. */
export interface FetchedObject {
  object: BronzeObject;
  gzipped: Buffer;
}

/**
 * What the loader needs from a warehouse. `loadBatch` is the exactly-once step: it writes the objects' rows
 * and their manifest entries in ONE transaction, so after a crash each object is either fully loaded and
 * listed, or absent from both.
 */
export interface Warehouse {
  readonly kind: 'duckdb' | 'postgres' | 'snowflake';
  /** Creates the bronze schema, one table per topic and the load manifest when missing. */
  prepare(): Promise<void>;
  /** Every object key the manifest lists as loaded. */
  loadedKeys(): Promise<Set<string>>;
  /** Loads the objects and records them in the manifest atomically; returns the rows loaded per object. */
  loadBatch(batch: readonly FetchedObject[]): Promise<number[]>;
  close(): Promise<void>;
}

export const BRONZE_SCHEMA = 'bronze';
