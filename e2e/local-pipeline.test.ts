import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkdir, repoRoot } from '@spotify-pipeline/harness';
import { afterAll, describe, expect, it } from 'vitest';

// The README's `npm start`, minus the installs: every stage as its own process, real Kafka, real S3 server,
// DuckDB and dbt, and gold reconciled against the simulator's ground truth.
describe('the local pipeline (npm start)', () => {
  const out = makeWorkdir('local-pipeline');
  afterAll(() => out.remove());

  it('takes simulated events through Kafka, the lake, the loader and dbt into gold, exactly once', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          'scripts/local.ts',
          '--once',
          '--listeners',
          '200',
          '--days',
          '1',
          '--out',
          out.path,
        ],
        { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(output).toMatch(/reconciled: all [\d,]+ published events are in gold exactly once/);
    expect(output).not.toContain('MISMATCH');
    expect(code).toBe(0);
    expect(existsSync(join(out.path, 'warehouse.duckdb'))).toBe(true);
  }, 600_000);

  it('rejects a bad option with a clear message', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'scripts/local.ts', '--listeners', 'many'],
        { cwd: repoRoot },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(code).not.toBe(0);
    expect(output).toContain("--listeners must be a number, got 'many'");
  });
});
