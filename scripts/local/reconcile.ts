import { DuckDBInstance } from '@duckdb/node-api';
import type { GroundTruth } from '@spotify-pipeline/shared';

export interface Reconciliation {
  rows: Array<{ eventType: string; published: number; inGold: number }>;
  matches: boolean;
}

/** Compares gold's event counts per type with what the simulator says it published. */
export async function reconcileGold(duckdbPath: string, truth: GroundTruth): Promise<Reconciliation> {
  const instance = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      'select event_type, sum(events)::bigint as events from gold.daily_event_counts group by event_type',
    );
    const gold = new Map(
      reader.getRowObjectsJS().map((row) => [String(row.event_type), Number(row.events as bigint)] as const),
    );
    const types = [...new Set([...Object.keys(truth.events_by_type), ...gold.keys()])].sort();
    const rows = types.map((eventType) => ({
      eventType,
      published: truth.events_by_type[eventType as keyof typeof truth.events_by_type] ?? 0,
      inGold: gold.get(eventType) ?? 0,
    }));
    return { rows, matches: rows.every((r) => r.published === r.inGold) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
