import type { Logger } from '@spotify-pipeline/shared';
import { gunzipLines, gzipLines } from './bronze-lines.js';
import type { PreparedObject, Warehouse } from './warehouse.js';

/**
 * Loads a batch so that no line can block it: when the warehouse refuses the batch, each object is loaded on
 * its own, and an object the warehouse still refuses has the lines at fault found by bisection (trial
 * inserts that are rolled back) and moved to the rejected rows with the warehouse's own message; the rest
 * of the object loads. A failure that no line explains (the warehouse is down, or it refuses even an empty
 * insert) is not blamed on the data: it is thrown, and the next run tries again.
 */
export async function loadQuarantining(
  warehouse: Warehouse,
  batch: readonly PreparedObject[],
  logger: Logger,
): Promise<number[]> {
  try {
    return await warehouse.loadBatch(batch);
  } catch (err) {
    if (batch.length > 1) {
      logger.warn({ err, objects: batch.length }, 'batch refused; loading its objects one by one');
      const counts: number[] = [];
      for (const object of batch) counts.push(...(await loadQuarantining(warehouse, [object], logger)));
      return counts;
    }
    const isolated = await isolateRefusedLines(warehouse, batch[0]!, err, logger);
    return await warehouse.loadBatch([isolated]);
  }
}

async function isolateRefusedLines(
  warehouse: Warehouse,
  object: PreparedObject,
  failure: unknown,
  logger: Logger,
): Promise<PreparedObject> {
  const lines = await gunzipLines(object.gzipped);
  const numbers = object.lineNumbers ?? lines.map((_, i) => i + 1);
  const probe = async (indexes: readonly number[]) =>
    warehouse.probe({
      ...object,
      gzipped: await gzipLines(indexes.map((i) => lines[i]!)),
      rows: indexes.length,
      lineNumbers: null,
      rejected: [],
    });
  if ((await probe([])) !== null) throw failure;
  const refused = new Map<number, string>();
  const bisect = async (indexes: readonly number[]): Promise<void> => {
    if (indexes.length === 0) return;
    const message = await probe(indexes);
    if (message === null) return;
    if (indexes.length === 1) {
      refused.set(indexes[0]!, message);
      return;
    }
    const half = Math.ceil(indexes.length / 2);
    await bisect(indexes.slice(0, half));
    await bisect(indexes.slice(half));
  };
  await bisect(lines.map((_, i) => i));
  // A second opinion on each line before it is quarantined for good, and the warehouse must still answer.
  for (const i of [...refused.keys()]) if ((await probe([i])) === null) refused.delete(i);
  if (refused.size === 0 || (await probe([])) !== null) throw failure;
  logger.warn(
    { key: object.object.key, refused: refused.size, lines: lines.length },
    `${warehouse.kind} refused ${refused.size} line(s) no check foresaw; quarantining them`,
  );
  const kept = lines.map((_, i) => i).filter((i) => !refused.has(i));
  return {
    ...object,
    gzipped: await gzipLines(kept.map((i) => lines[i]!)),
    rows: kept.length,
    lineNumbers: kept.map((i) => numbers[i]!),
    rejected: [
      ...object.rejected,
      ...[...refused].map(([i, message]) => ({
        line: numbers[i]!,
        code: 'warehouse_refused',
        reason: `${warehouse.kind} refused the line: ${message}`,
        excerpt: lines[i]!.slice(0, 1000),
      })),
    ].sort((a, b) => a.line - b.line),
  };
}
