import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkdir, repoRoot } from '@spotify-pipeline/harness';
import { afterAll, describe, expect, it } from 'vitest';

interface WrappedTotals {
  totals: { events: number; plays: number; minutes: number };
}

/** Resolves with the first match of `pattern` in what the process has printed so far or prints later. */
function waitForLine(output: () => string, pattern: RegExp, child: ChildProcess, timeoutMs: number) {
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      const match = output().match(pattern);
      if (match) {
        clearInterval(check);
        resolve(match);
      } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(check);
        reject(new Error(`no line matching ${pattern} (exit ${child.exitCode}):\n${output().slice(-5000)}`));
      }
    }, 250);
  });
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// The README's `npm start`, minus the installs: every stage as its own process, real Kafka, real S3 server,
// DuckDB and dbt, gold reconciled against the simulator's ground truth, then the dashboard, live.
describe('the local pipeline (npm start)', () => {
  const out = makeWorkdir('local-pipeline');
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    out.remove();
  });

  it('reconciles gold exactly once, serves the dashboard, and a listener’s Wrapped grows as they keep listening', async () => {
    let output = '';
    child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'scripts/local.ts',
        '--listeners',
        '20',
        '--days',
        '1',
        '--rate',
        '40',
        '--refresh-seconds',
        '5',
        '--port',
        '0',
        '--out',
        out.path,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const [, dashboard] = await waitForLine(
      () => output,
      /dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /,
      child,
      540_000,
    );
    expect(output).toMatch(/reconciled: all [\d,]+ published events are in gold exactly once/);
    expect(output).not.toContain('MISMATCH');
    expect(existsSync(join(out.path, 'warehouse.duckdb'))).toBe(true);
    const page = await fetch(dashboard!);
    expect(await page.text()).toContain('<div id="app">');

    const listener = 'u3';
    const wrapped = `${dashboard}api/v1/listeners/${listener}/wrapped`;
    const before = await json<WrappedTotals>(wrapped);
    const refreshedBefore = (await json<{ refreshedAt: string }>(`${dashboard}api/v1/freshness`)).refreshedAt;
    expect(before.totals.events).toBeGreaterThan(0);

    // The simulator keeps streaming; the refresh loop loads, builds and publishes; the service swaps snapshots.
    let after = before;
    for (
      let i = 0;
      i < 240 &&
      !(after.totals.events > before.totals.events && after.totals.minutes > before.totals.minutes);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 1000));
      after = await json<WrappedTotals>(wrapped);
    }
    expect(after.totals.events).toBeGreaterThan(before.totals.events);
    expect(after.totals.minutes).toBeGreaterThan(before.totals.minutes);
    expect(output).toMatch(/refresh \d+ done in \d+ s: gold holds [\d,]+ events/);
    const freshness = await json<{ refreshedAt: string; lakeWriterLag: { state: string } }>(
      `${dashboard}api/v1/freshness`,
    );
    expect(Date.parse(freshness.refreshedAt)).toBeGreaterThan(Date.parse(refreshedBefore));
    expect(freshness.lakeWriterLag.state).toBe('measured');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
  }, 900_000);

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
