import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBenchResults, renderBenchTable } from './bench-table.js';

const root = join(import.meta.dirname, '..');

describe('docs/benchmarks.md', () => {
  it('is exactly what bench/results/*.json generate (run npm run bench:table after a benchmark)', () => {
    const expected = renderBenchTable(readBenchResults(join(root, 'bench/results')));
    const docs = join(root, 'docs/benchmarks.md');
    expect(existsSync(docs) ? readFileSync(docs, 'utf8') : '(missing)').toBe(expected);
  });

  it('renders reference and ratio beside each figure', () => {
    const table = renderBenchTable([
      {
        benchmark: 'demo',
        date: '2026-11-26',
        machine: 'test',
        figures: [
          {
            name: 'events/s',
            value: 120000,
            unit: 'events/s',
            reference: 'java',
            reference_value: 200000,
            ratio: 0.6,
          },
        ],
      },
    ]);
    expect(table).toContain('| events/s | 120,000 | events/s | java | 200,000 | 0.6 |');
  });
});
