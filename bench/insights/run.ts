/**
 * Insights benchmark: requests/s and p99 latency of the overview and the Wrapped endpoints over a DuckDB gold
 * of 10 million simulated events, with the service's answer cache warm and with it off (cold), beside the
 * same queries run straight through @duckdb/node-api in this process (no HTTP, no validation, no cache), and
 * beside the same server's /healthz (what an HTTP round trip costs on the machine at the time).
 * Writes bench/results/insights.json.
 * Run: npm run bench -- insights   (BENCH_EVENTS, BENCH_LISTENERS, BENCH_SECONDS; BENCH_INSIGHTS_DIR keeps
 * and reuses the built gold between runs)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchMachine,
  freePort,
  type ManagedProcess,
  repoRoot,
  startProcess,
  waitUntil,
} from '@spotify-pipeline/harness';
import { wrappedRange } from '@spotify-pipeline/insights/api/ranges';
import type { Filters } from '@spotify-pipeline/insights/contract';
import { addDays } from '@spotify-pipeline/insights/queries/common';
import { findListener } from '@spotify-pipeline/insights/queries/listeners';
import { getMeta } from '@spotify-pipeline/insights/queries/meta';
import { getOverview } from '@spotify-pipeline/insights/queries/overview';
import { getWrapped } from '@spotify-pipeline/insights/queries/wrapped';
import { createDuckDbReader } from '@spotify-pipeline/insights/readers/duckdb-reader';
import { sql } from '@spotify-pipeline/insights/sql/sql';
import { createLogger } from '@spotify-pipeline/shared';
import { benchGold } from './gold.js';
import { closedLoop, type LoadResult, ownCpuSeconds, processCpuSeconds } from './load.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARM_CLIENTS = 8;
const COLD_CLIENTS = 4;
const log = (msg: string) => console.log(`[bench insights] ${new Date().toISOString().slice(11, 19)} ${msg}`);

async function startService(snapshot: string, cacheSeconds: number, workdir: string) {
  const port = await freePort();
  const service: ManagedProcess = startProcess({
    name: `insights-cache-${cacheSeconds}`,
    command: process.execPath,
    args: ['--conditions=source', '--import', 'tsx', join(repoRoot, 'services/insights/src/main.ts')],
    logFile: join(workdir, `insights-cache-${cacheSeconds}.log`),
    cwd: repoRoot,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: snapshot,
      INSIGHTS_HOST: '127.0.0.1',
      INSIGHTS_PORT: String(port),
      INSIGHTS_CACHE_SECONDS: String(cacheSeconds),
      INSIGHTS_QUERY_TIMEOUT_MS: '30000',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    'the insights service',
    async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200,
    { timeoutMs: 120_000, logHint: () => service.tail() },
  );
  const pid = service.child.pid!;
  return { url, cpuSeconds: () => processCpuSeconds(pid), stop: () => service.stop() };
}

async function getOk(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
}

const describe = (r: LoadResult) =>
  `${r.requests} requests in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(1)}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, CPU ${r.cpuMsPerRequest?.toFixed(2)} ms/request, ${r.failures} failed`;

async function main() {
  const keep = process.env.BENCH_INSIGHTS_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'sp-bench-insights-'));
  const figures: Array<Record<string, unknown>> = [];
  try {
    const gold = await benchGold({ dir, events: EVENTS, listeners: LISTENERS, log });
    const direct = await createDuckDbReader({
      path: gold.snapshot,
      pollMs: 60_000,
      queryTimeoutMs: 30_000,
      connections: COLD_CLIENTS,
      memoryLimit: '1GB',
      logger: createLogger({ name: 'bench', level: 'warn' }),
    });
    const [count] = await direct.query(
      sql`select cast(count(*) as double precision) as n from gold.fct_listening_events`,
    );
    const events = Number(count?.n);
    const listeners = (await direct.query(sql`select user_id from gold.dim_listeners order by user_id`)).map(
      (r) => String(r.user_id),
    );
    const meta = await getMeta(direct);
    log(
      `gold: ${events.toLocaleString('en-US')} events, ${listeners.length} listeners, ${meta.firstDate}..${meta.lastDate}`,
    );

    // The cold requests: every range ending on the last day (1 to 7 days) with and without a country or device.
    const overviewCases: Array<{ query: string; range: { from: string; to: string }; filters: Filters }> = [];
    for (let days = 1; days <= 7; days++)
      for (const filters of [{}, { country: meta.countries[0] }, { device: meta.devices[0] }] as Filters[]) {
        const range = { from: addDays(meta.lastDate!, -(days - 1)), to: meta.lastDate! };
        const query = new URLSearchParams({ ...range, ...(filters as Record<string, string>) }).toString();
        overviewCases.push({ query, range, filters });
      }
    const randomListener = (i: number) => listeners[(i * 7919) % listeners.length]!;
    const warmListeners = listeners.slice(0, 50);

    const work = mkdtempSync(join(tmpdir(), 'sp-bench-insights-logs-'));
    const results: Record<string, LoadResult> = {};

    // Warm: every request below is a cache hit (the lifetime outlasts the priming and the run).
    log('service with its answer cache: warm');
    const warm = await startService(gold.snapshot, 3600, work);
    try {
      await getOk(`${warm.url}/api/v1/overview`);
      for (const id of warmListeners) await getOk(`${warm.url}/api/v1/listeners/${id}/wrapped`);
      // The floor of this machine at the time: the same server's /healthz, same clients, no query, no cache.
      results.healthz = await closedLoop({
        clients: WARM_CLIENTS,
        seconds: SECONDS,
        cpuSeconds: warm.cpuSeconds,
        call: () => getOk(`${warm.url}/healthz`),
      });
      log(`/healthz: ${describe(results.healthz)}`);
      results.overviewWarm = await closedLoop({
        clients: WARM_CLIENTS,
        seconds: SECONDS,
        cpuSeconds: warm.cpuSeconds,
        call: () => getOk(`${warm.url}/api/v1/overview`),
      });
      log(`overview, warm: ${describe(results.overviewWarm)}`);
      results.wrappedWarm = await closedLoop({
        clients: WARM_CLIENTS,
        seconds: SECONDS,
        cpuSeconds: warm.cpuSeconds,
        call: (i) => getOk(`${warm.url}/api/v1/listeners/${warmListeners[i % warmListeners.length]}/wrapped`),
      });
      log(`Wrapped, warm: ${describe(results.wrappedWarm)}`);
    } finally {
      await warm.stop();
    }

    log('service with the answer cache off: cold');
    const cold = await startService(gold.snapshot, 0, work);
    try {
      await getOk(`${cold.url}/api/v1/overview`);
      results.overviewCold = await closedLoop({
        clients: COLD_CLIENTS,
        seconds: SECONDS,
        cpuSeconds: cold.cpuSeconds,
        call: (i) => getOk(`${cold.url}/api/v1/overview?${overviewCases[i % overviewCases.length]!.query}`),
      });
      log(`overview, cold: ${describe(results.overviewCold)}`);
      results.wrappedCold = await closedLoop({
        clients: COLD_CLIENTS,
        seconds: SECONDS,
        cpuSeconds: cold.cpuSeconds,
        call: (i) => getOk(`${cold.url}/api/v1/listeners/${randomListener(i)}/wrapped`),
      });
      log(`Wrapped, cold: ${describe(results.wrappedCold)}`);
    } finally {
      await cold.stop();
    }

    log('reference: the same queries straight through @duckdb/node-api');
    results.overviewDirect = await closedLoop({
      clients: COLD_CLIENTS,
      seconds: SECONDS,
      cpuSeconds: ownCpuSeconds,
      call: async (i) => {
        const c = overviewCases[i % overviewCases.length]!;
        await getOverview(direct, c.range, c.filters);
      },
    });
    log(`overview, direct: ${describe(results.overviewDirect)}`);
    results.wrappedDirect = await closedLoop({
      clients: COLD_CLIENTS,
      seconds: SECONDS,
      cpuSeconds: ownCpuSeconds,
      call: async (i) => {
        const id = randomListener(i);
        const listener = await findListener(direct, id);
        const range = wrappedRange({}, listener!.lastEventAt!.slice(0, 10));
        const coversAll = range.from <= meta.firstDate! && range.to >= meta.lastDate!;
        await getWrapped(direct, id, range, coversAll);
      },
    });
    log(`Wrapped, direct: ${describe(results.wrappedDirect)}`);
    await direct.close();
    rmSync(work, { recursive: true, force: true });

    const size = `${(events / 1e6).toFixed(events >= 1e6 ? 1 : 2)}M events in gold`;
    const r = (n: number, digits = 1) => Number(n.toFixed(digits));
    for (const [endpoint, warmKey, coldKey, directKey] of [
      ['overview', 'overviewWarm', 'overviewCold', 'overviewDirect'],
      ['Wrapped', 'wrappedWarm', 'wrappedCold', 'wrappedDirect'],
    ] as const) {
      const w = results[warmKey]!;
      const c = results[coldKey]!;
      const d = results[directKey]!;
      const h = results.healthz!;
      figures.push(
        {
          name: `${endpoint}, warm cache, ${WARM_CLIENTS} clients (${size}): requests/s`,
          value: r(w.perSecond),
          unit: 'requests/s',
          reference: "the same server's /healthz, same clients, same run (no query, no cache)",
          reference_value: r(h.perSecond),
          ratio: r(w.perSecond / h.perSecond, 3),
        },
        {
          name: `${endpoint}, warm cache, ${WARM_CLIENTS} clients (${size}): p99 latency`,
          value: r(w.p99Ms, 2),
          unit: 'ms',
          reference: 'aim',
          reference_value: 100,
          ratio: r(w.p99Ms / 100, 3),
        },
        {
          name: `${endpoint}, warm cache (${size}): p99 latency vs the same server's /healthz`,
          value: r(w.p99Ms, 2),
          unit: 'ms',
          reference: "the same server's /healthz, same clients, same run (no query, no cache)",
          reference_value: r(h.p99Ms, 2),
          ratio: r(w.p99Ms / h.p99Ms, 3),
        },
        {
          name: `${endpoint}, warm cache (${size}): the service's CPU time per request`,
          value: r(w.cpuMsPerRequest!, 3),
          unit: 'ms',
          reference: "the same server's /healthz, same run",
          reference_value: r(h.cpuMsPerRequest!, 3),
          ratio: r(w.cpuMsPerRequest! / h.cpuMsPerRequest!, 3),
        },
        {
          name: `${endpoint}, cold cache, ${COLD_CLIENTS} clients (${size}): requests/s`,
          value: r(c.perSecond),
          unit: 'requests/s',
          reference: 'the same queries straight through @duckdb/node-api, same clients (no HTTP, no cache)',
          reference_value: r(d.perSecond),
          ratio: r(c.perSecond / d.perSecond, 3),
        },
        {
          name: `${endpoint}, cold cache, ${COLD_CLIENTS} clients (${size}): p99 latency`,
          value: r(c.p99Ms, 1),
          unit: 'ms',
          reference: 'aim',
          reference_value: 1000,
          ratio: r(c.p99Ms / 1000, 3),
        },
        {
          name: `${endpoint}, cold cache (${size}): p99 latency through the service vs straight through @duckdb/node-api`,
          value: r(c.p99Ms, 1),
          unit: 'ms',
          reference: 'the same queries straight through @duckdb/node-api, same clients',
          reference_value: r(d.p99Ms, 1),
          ratio: r(c.p99Ms / d.p99Ms, 3),
        },
        {
          name: `${endpoint}, cold cache (${size}): the service's CPU time per request (DuckDB's threads included)`,
          value: r(c.cpuMsPerRequest!, 1),
          unit: 'ms',
          reference: 'the same queries straight through @duckdb/node-api, same run',
          reference_value: r(d.cpuMsPerRequest!, 1),
          ratio: r(c.cpuMsPerRequest! / d.cpuMsPerRequest!, 3),
        },
      );
      if (w.failures + c.failures + d.failures > 0)
        throw new Error(`${endpoint}: ${w.failures + c.failures + d.failures} requests failed`);
    }
    if (gold.snapshotSeconds !== null)
      figures.push({
        name: `publish the read-only gold snapshot the service reads (${size}, events sorted by listener)`,
        value: r(gold.snapshotSeconds),
        unit: 's',
      });
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'insights',
    date: new Date().toISOString(),
    machine: benchMachine('service, load generator and DuckDB on the same machine'),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/insights.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(JSON.stringify(figures, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
