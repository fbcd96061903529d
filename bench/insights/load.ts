import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Latencies of a closed-loop run: `clients` loops, each sending its next request when the last one ends. */
export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** CPU time the serving process spent per answered request (all its threads), when it was measured. */
  cpuMsPerRequest: number | null;
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/**
 * CPU seconds (user + system, every thread) process `pid` has used so far, from /proc/<pid>/stat. Unlike
 * latency on a shared machine, this hardly depends on what else runs meanwhile.
 */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** CPU seconds this process has used so far (every thread, DuckDB's too). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `call(i)` from `clients` concurrent loops for `seconds`; a rejected call counts as a failure. */
export async function closedLoop(options: {
  clients: number;
  seconds: number;
  call: (i: number) => Promise<void>;
  /** The serving process's CPU seconds so far: with it, the run reports CPU time per request. */
  cpuSeconds?: () => number;
}): Promise<LoadResult> {
  const cpuBefore = options.cpuSeconds?.();
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < until) {
        const i = next++;
        const t = performance.now();
        try {
          await options.call(i);
          latencies.push(performance.now() - t);
        } catch {
          failures++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = options.cpuSeconds?.();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures,
    cpuMsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1000) / latencies.length,
  };
}
