// What `npm start` does after the backfill: serves the dashboard and keeps gold live. The insights service
// reads the read-only gold snapshot the loader publishes after each successful `batch`, so loads and dbt
// (DuckDB's one writer) never wait for readers, and readers never see a half-built gold.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { portAccepts, repoRoot, waitUntil } from '@spotify-pipeline/harness';
import type { StageProcess } from './stages.js';

/** Builds the dashboard with Vite into `outDir`; a failed build stops `npm start` with Vite's message. */
export function buildDashboard(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'services/insights/web/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, INSIGHTS_WEB_OUT: outDir },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`the dashboard build (vite) failed with code ${code}: see above`)),
    );
  });
}

/** The port asked for, or a free one when something else already listens there. */
export async function dashboardPort(wanted: number, pickFree: () => Promise<number>): Promise<number> {
  return wanted !== 0 && !(await portAccepts(wanted)) ? wanted : pickFree();
}

export async function waitForDashboard(url: string, service: StageProcess): Promise<void> {
  await waitUntil(
    'the insights service to be ready',
    async () => {
      const code = await Promise.race([
        service.exited,
        new Promise<null>((r) => setTimeout(() => r(null), 10)),
      ]);
      if (code !== null)
        throw new Error(`the insights service exited with code ${code}: see its lines above`);
      const response = await fetch(`${url}readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      return response?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

interface Freshness {
  refreshedAt: string | null;
  newestEventAt: string | null;
  events: number;
  lakeWriterLag: { state: string; events?: number };
}

async function readFreshness(url: string): Promise<Freshness | null> {
  const response = await fetch(`${url}api/v1/freshness`, { signal: AbortSignal.timeout(5000) }).catch(
    () => null,
  );
  return response?.ok ? ((await response.json()) as Freshness) : null;
}

/**
 * Loads new events into gold every `intervalMs` (the loader's `batch`: load, dbt build, snapshot) and says
 * what the dashboard shows afterwards. A failed round is reported and the next one tries again.
 */
export function startRefreshLoop(options: {
  intervalMs: number;
  runBatch: () => Promise<void>;
  dashboardUrl: string;
  log: (line: string) => void;
}): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    for (let round = 1; !stopped; round++) {
      await sleep(options.intervalMs);
      if (stopped) break;
      const started = Date.now();
      try {
        const before = (await readFreshness(options.dashboardUrl))?.refreshedAt ?? null;
        await options.runBatch();
        let after = await readFreshness(options.dashboardUrl);
        // The service notices the new snapshot within its poll interval.
        for (let i = 0; i < 20 && after?.refreshedAt === before; i++) {
          await new Promise((r) => setTimeout(r, 250));
          after = await readFreshness(options.dashboardUrl);
        }
        const lag =
          after?.lakeWriterLag.state === 'measured'
            ? `, lake writer ${after.lakeWriterLag.events} behind`
            : '';
        options.log(
          `refresh ${round} done in ${Math.round((Date.now() - started) / 1000)} s: gold holds ${(after?.events ?? 0).toLocaleString('en-US')} events, newest ${after?.newestEventAt?.slice(11, 19) ?? '-'} UTC${lag}; the dashboard shows it`,
        );
      } catch (err) {
        if (!stopped)
          options.log(`refresh ${round} failed (the next one retries): ${(err as Error).message}`);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
