import { DuckDBInstance } from '@duckdb/node-api';
import type { GroundTruth } from '@spotify-pipeline/shared';
import pg from 'pg';

/** What the reconciliation needs of a ground truth: events in all, and per type. */
export type EventTruth = Pick<GroundTruth, 'events' | 'events_by_type'>;

export interface Reconciliation {
  rows: Array<{ eventType: string; published: number; inGold: number }>;
  matches: boolean;
}

const GOLD_COUNTS =
  'select event_type, sum(events) as events from gold.daily_event_counts group by event_type';

/** Compares gold's event counts per type with what the simulator says it published. */
export function reconcile(gold: Map<string, number>, truth: EventTruth): Reconciliation {
  const types = [...new Set([...Object.keys(truth.events_by_type), ...gold.keys()])].sort();
  const rows = types.map((eventType) => ({
    eventType,
    published: truth.events_by_type[eventType as keyof EventTruth['events_by_type']] ?? 0,
    inGold: gold.get(eventType) ?? 0,
  }));
  return { rows, matches: rows.every((r) => r.published === r.inGold) };
}

/** The sum of several runs' ground truths (replicas, restarts): each run's events are its own. */
export function addTruths(truths: EventTruth[]): EventTruth {
  const byType: Record<string, number> = {};
  for (const t of truths)
    for (const [type, n] of Object.entries(t.events_by_type)) byType[type] = (byType[type] ?? 0) + n;
  return {
    events: truths.reduce((sum, t) => sum + t.events, 0),
    events_by_type: byType as EventTruth['events_by_type'],
  };
}

/** The table `npm start` prints, one line per event type, then the verdict. */
export function reconciliationLines(r: Reconciliation, truth: EventTruth): string[] {
  return [
    ...r.rows.map(
      (row) =>
        `    ${row.eventType.padEnd(16)} published ${String(row.published).padStart(9)}   in gold ${String(row.inGold).padStart(9)}   ${row.published === row.inGold ? 'ok' : 'MISMATCH'}`,
    ),
    r.matches
      ? `reconciled: all ${truth.events.toLocaleString('en-US')} published events are in gold exactly once`
      : 'gold does not match what the simulator published (see the table above)',
  ];
}

export async function goldCountsFromDuckDb(duckdbPath: string): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(GOLD_COUNTS.replace('sum(events)', 'sum(events)::bigint'));
    return new Map(
      reader.getRowObjectsJS().map((row) => [String(row.event_type), Number(row.events as bigint)] as const),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function goldCountsFromPostgres(connectionString: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await client.connect();
  try {
    const result = await client.query<{ event_type: string; events: string }>(GOLD_COUNTS);
    return new Map(result.rows.map((row) => [row.event_type, Number(row.events)] as const));
  } finally {
    await client.end();
  }
}

export async function reconcileGold(duckdbPath: string, truth: EventTruth): Promise<Reconciliation> {
  return reconcile(await goldCountsFromDuckDb(duckdbPath), truth);
}
