import { PipelineError, UnavailableError } from '@spotify-pipeline/shared';
import type { WarehouseType } from '@spotify-pipeline/shared/workloads';
import type { Dialect } from '../sql/dialect.js';
import type { Sql } from '../sql/sql.js';

export type Row = Record<string, unknown>;

/**
 * Read-only access to the gold tables of one warehouse. Every query has the reader's deadline; a query that
 * misses it is cancelled and fails with QueryTimeoutError.
 */
export interface GoldReader {
  readonly kind: WarehouseType;
  readonly dialect: Dialect;
  /** Changes whenever a newer gold build becomes visible, so caches keyed on it never serve an older one. */
  dataVersion(): string;
  /** Why queries cannot be answered right now, or null when they can. */
  unavailableReason(): string | null;
  query(query: Sql): Promise<Row[]>;
  close(): Promise<void>;
}

/** The warehouse did not answer within the deadline; the query was cancelled. */
export class QueryTimeoutError extends PipelineError {
  constructor(timeoutMs: number, options: { cause?: unknown } = {}) {
    super(`the warehouse did not answer within ${timeoutMs} ms; try a shorter date range`, {
      ...options,
      retriable: true,
    });
  }
}

export { UnavailableError };

/** Numbers come back as JS numbers whatever the driver chose for them (bigint, numeric strings stay strings). */
export function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row))
    out[key.toLowerCase()] = typeof value === 'bigint' ? Number(value) : value;
  return out;
}
