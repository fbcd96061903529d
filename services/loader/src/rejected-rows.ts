import type { PreparedObject } from './warehouse.js';

/** `(object_key, line_number, bronze_table, reason_code, reason, line_excerpt, rejected_at)` SQL tuples. */
export function rejectedRowValues(
  prepared: PreparedObject,
  literal: (value: string) => string,
  now: string,
): string[] {
  return prepared.rejected.map(
    (r) =>
      `(${literal(prepared.object.key)}, ${r.line}, ${literal(prepared.table.table)}, ${literal(r.code)}, ${literal(r.reason)}, ${literal(r.excerpt)}, ${now})`,
  );
}
