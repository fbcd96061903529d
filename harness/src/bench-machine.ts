import { cpus, loadavg, totalmem } from 'node:os';

/**
 * The `machine` line of a benchmark's results: the hardware and runtime, what shared the machine (`setup`), and
 * the load averages when the figures were taken, measured rather than described, so a reader can tell a quiet
 * run from a busy one. Call it when the run ends: the 5- and 15-minute averages then cover most of the run.
 */
export function benchMachine(setup: string, runtime = `Node ${process.versions.node}`): string {
  const [one, five, fifteen] = loadavg().map((load) => load.toFixed(1));
  const model = cpus()[0]?.model.trim() ?? 'unknown';
  return (
    `${cpus().length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${runtime}; ${setup}; ` +
    `load average ${one}, ${five}, ${fifteen} (1, 5, 15 min) at the end of the run`
  );
}
