import { gunzipSync, gzipSync } from 'node:zlib';
import { createLogger } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { bronzeTableFor } from './bronze-tables.js';
import { loadQuarantining } from './quarantine.js';
import type { PreparedObject, Warehouse } from './warehouse.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const linesOf = (p: PreparedObject) => gunzipSync(p.gzipped).toString('utf8').split('\n').filter(Boolean);

/** A warehouse that refuses any insert holding a line with "poison", or everything while `down`. */
function refusingWarehouse() {
  const loaded: PreparedObject[] = [];
  const state = { down: false, probes: 0 };
  const refuses = (p: PreparedObject) =>
    state.down ? 'connection lost' : linesOf(p).some((l) => l.includes('poison')) ? 'value too long' : null;
  const warehouse: Warehouse = {
    kind: 'postgres',
    prepare: async () => {},
    loadedKeys: async () => new Set(),
    loadBatch: async (batch) => {
      for (const p of batch) {
        const refusal = refuses(p);
        if (refusal) throw new Error(refusal);
      }
      loaded.push(...batch);
      return batch.map((p) => p.rows);
    },
    probe: async (p) => {
      state.probes++;
      return refuses(p);
    },
    close: async () => {},
  };
  return { warehouse, loaded, state };
}

const object = (key: string, lines: string[], lineNumbers: number[] | null = null): PreparedObject => ({
  object: { key, topic: 'listening-events', sizeBytes: 1, format: 'jsonl.gz' },
  table: bronzeTableFor('listening-events')!,
  gzipped: gzipSync(`${lines.join('\n')}\n`),
  rows: lines.length,
  lineNumbers,
  rejected: [],
});

describe('loadQuarantining', () => {
  it('loads the other objects of a refused batch, and the other lines of the refused object', async () => {
    const { warehouse, loaded } = refusingWarehouse();
    const lines = Array.from(
      { length: 20 },
      (_, i) => `{"n":${i}${i === 7 || i === 13 ? ',"x":"poison"' : ''}}`,
    );
    const counts = await loadQuarantining(
      warehouse,
      [
        object('a', ['{"n":1}']),
        object(
          'b',
          lines,
          lines.map((_, i) => i + 3),
        ),
      ],
      logger,
    );
    expect(counts).toEqual([1, 18]);
    const b = loaded.find((p) => p.object.key === 'b')!;
    expect(linesOf(b)).toHaveLength(18);
    expect(b.rejected.map((r) => [r.line, r.code, r.reason])).toEqual([
      [10, 'warehouse_refused', 'postgres refused the line: value too long'],
      [16, 'warehouse_refused', 'postgres refused the line: value too long'],
    ]);
    expect(b.lineNumbers).toHaveLength(18);
  });

  it('blames no line when the warehouse itself fails: the batch fails and nothing is quarantined', async () => {
    const { warehouse, loaded, state } = refusingWarehouse();
    state.down = true;
    await expect(loadQuarantining(warehouse, [object('a', ['{"n":1}', '{"n":2}'])], logger)).rejects.toThrow(
      'connection lost',
    );
    expect(loaded).toEqual([]);
    expect(state.probes).toBe(1);
  });
});
