import type { RejectedRow } from './bronze-lines.js';
import type { BronzeTable } from './bronze-tables.js';
import type { BronzeObject } from './lake-objects.js';

/** An object ready to load: the lines every warehouse reads the same way, and the lines kept out of bronze. */
export interface PreparedObject {
  object: BronzeObject;
  table: BronzeTable;
  /** gzip JSON Lines of the lines to load (the lake's bytes when every line passed). */
  gzipped: Buffer;
  /** Lines to load. */
  rows: number;
  /** Original line number of each line to load; null when they are 1..rows. */
  lineNumbers: number[] | null;
  rejected: RejectedRow[];
}

/**
 * What the loader needs from a warehouse. `loadBatch` is the exactly-once step: it writes the objects' rows,
 * their rejected lines and their manifest entries in ONE transaction, so after a crash each object is either
 * fully loaded and listed, or absent from all three.
 */
export interface Warehouse {
  readonly kind: 'duckdb' | 'postgres' | 'snowflake';
  /** Creates the bronze schema, one table per topic, the rejected-rows table and the manifest when missing. */
  prepare(): Promise<void>;
  /** Every object key the manifest lists as loaded. */
  loadedKeys(): Promise<Set<string>>;
  /** Loads the objects, their rejected lines and their manifest rows atomically; returns the rows per object. */
  loadBatch(batch: readonly PreparedObject[]): Promise<number[]>;
  /**
   * Inserts an object's rows in a transaction that is always rolled back: null when the warehouse takes them,
   * else its error message. How the loader finds the lines a warehouse refuses that no check foresaw.
   */
  probe(object: PreparedObject): Promise<string | null>;
  close(): Promise<void>;
}

/** Where bronze goes when BRONZE_SCHEMA is not set. */
export const BRONZE_SCHEMA = 'bronze';
