// Writes docs/benchmarks.md from bench/results/*.json, so that the figures in the docs are always the
// measured ones. `npm run bench:table` regenerates it; a unit test fails when the two have drifted.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const figureSchema = z.object({
  name: z.string(),
  value: z.number(),
  unit: z.string(),
  reference: z.string().nullish(),
  reference_value: z.number().nullish(),
  ratio: z.number().nullish(),
});
export const benchResultSchema = z.object({
  benchmark: z.string(),
  date: z.string(),
  machine: z.string(),
  figures: z.array(figureSchema).min(1),
});
export type BenchResult = z.infer<typeof benchResultSchema>;

const fmt = (n: number | null | undefined) =>
  n === undefined || n === null
    ? ''
    : Number.isInteger(n)
      ? n.toLocaleString('en-US')
      : n.toLocaleString('en-US', { maximumFractionDigits: 3 });

export function renderBenchTable(results: BenchResult[]): string {
  const lines = [
    '# Benchmark figures',
    '',
    'Generated from `bench/results/*.json` by `npm run bench:table`; do not edit by hand. Each benchmark',
    'runs its reference side by side on the same machine in the same run, so the ratio is the figure to',
    'compare across machines. Re-run one with `npm run bench -- <name>`.',
    '',
  ];
  for (const r of [...results].sort((a, b) => a.benchmark.localeCompare(b.benchmark))) {
    lines.push(`## ${r.benchmark}`, '', `${r.date} on ${r.machine}`, '');
    lines.push(
      '| figure | value | unit | reference | reference value | ratio |',
      '|---|---:|---|---|---:|---:|',
    );
    for (const f of r.figures) {
      lines.push(
        `| ${f.name} | ${fmt(f.value)} | ${f.unit} | ${f.reference ?? ''} | ${fmt(f.reference_value)} | ${fmt(f.ratio)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function readBenchResults(dir: string): BenchResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const parsed = benchResultSchema.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!parsed.success) throw new Error(`${f} is not a benchmark result: ${parsed.error.message}`);
      return parsed.data;
    });
}

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(root, 'docs/benchmarks.md');
  writeFileSync(out, renderBenchTable(readBenchResults(join(root, 'bench/results'))));
  console.log(`wrote ${out}`);
}
