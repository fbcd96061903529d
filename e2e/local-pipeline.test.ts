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
    // The whole process group: killing scripts/local.ts alone would leave its stages (lake writer, insights
    // service...) running without a parent when a check fails before the clean SIGTERM stop.
    if (child?.pid)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is gone already (a clean stop)
      }
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
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
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
    // Popularity and genres reach gold only through the catalog topics, the lake writer and the loader.
    const catalog = output.match(
      /catalog: ([\d,]+) of ([\d,]+) played tracks and ([\d,]+) of ([\d,]+) artists/,
    );
    expect(catalog, 'the catalog line').not.toBeNull();
    const [, tracksWithCatalog, tracks, artistsWithCatalog, artists] = catalog!;
    expect(Number(tracks!.replaceAll(',', ''))).toBeGreaterThan(0);
    expect(tracksWithCatalog).toBe(tracks);
    expect(artistsWithCatalog).toBe(artists);
    expect(existsSync(join(out.path, 'warehouse.duckdb'))).toBe(true);
    const page = await fetch(dashboard!);
    expect(await page.text()).toContain('<div id="app">');

    // Every listener gold has after the backfill; whoever keeps listening (listeners sleep in their own time
    // zone) must see their Wrapped grow once the refresh loop has loaded and built their new events.
    const { listeners } = await json<{ listeners: Array<{ listenerId: string }> }>(
      `${dashboard}api/v1/listeners?q=u&limit=100`,
    );
    expect(listeners.length).toBeGreaterThan(5);
    const wrapped = (id: string) => json<WrappedTotals>(`${dashboard}api/v1/listeners/${id}/wrapped`);
    // One at a time, as a reader would: a hundred at once queue behind the service's four connections, and on
    // a busy machine the last ones miss the query deadline (a 504, as designed).
    const before = new Map<string, WrappedTotals['totals']>();
    for (const l of listeners) before.set(l.listenerId, (await wrapped(l.listenerId)).totals);
    const refreshedBefore = (await json<{ refreshedAt: string }>(`${dashboard}api/v1/freshness`)).refreshedAt;

    // The simulator keeps streaming; the refresh loop loads, builds and publishes; the service swaps snapshots.
    let grown: { id: string; before: WrappedTotals['totals']; after: WrappedTotals['totals'] } | undefined;
    for (let i = 0; i < 120 && !grown; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      for (const [id, was] of before) {
        const now = (await wrapped(id)).totals;
        if (now.events > was.events && now.minutes > was.minutes) {
          grown = { id, before: was, after: now };
          break;
        }
      }
    }
    expect(grown, 'no listener’s Wrapped grew within 4 minutes').toBeDefined();
    expect(grown!.after.plays).toBeGreaterThanOrEqual(grown!.before.plays);
    // The service swaps to the new snapshot a moment before the refresh loop prints that it is done.
    await expect
      .poll(() => output, { timeout: 60_000 })
      .toMatch(/refresh \d+ done in \d+ s: gold holds [\d,]+ events/);
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
    expect(code).toBe(2);
    expect(output.trim()).toBe(
      'npm start: --listeners must be a whole number from 1 to 10,000,000, got "many"',
    );
  });
});
